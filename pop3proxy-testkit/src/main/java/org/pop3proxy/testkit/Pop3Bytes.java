package org.pop3proxy.testkit;

import java.io.ByteArrayOutputStream;
import java.util.Objects;

/**
 * Converts between a message and its POP3 multi-line form (RFC 1939 section 3), so that a test
 * can say exactly which bytes a correct server sends and a correct proxy relays.
 */
public final class Pop3Bytes {
    private Pop3Bytes() {}

    /**
     * Returns the body of a multi-line reply for {@code message}, without the terminating
     * {@code .} line: every line that starts with {@code .} gets one more, and CRLF is appended
     * when the message does not end with a line feed. Line endings are otherwise left as they are.
     */
    public static byte[] dotStuff(byte[] message) {
        Objects.requireNonNull(message, "message");
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (message.length > 0 && !lineStart) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Returns {@code body} (as {@link ScriptClient#readMultiline()} gives it) with the dot-stuffing removed. */
    public static byte[] dotUnstuff(byte[] body) {
        Objects.requireNonNull(body, "body");
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        boolean lineStart = true;
        for (byte b : body) {
            if (!(lineStart && b == '.')) {
                out.write(b);
            }
            lineStart = b == '\n';
        }
        return out.toByteArray();
    }
}
