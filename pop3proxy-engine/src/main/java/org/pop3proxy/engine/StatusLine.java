package org.pop3proxy.engine;

import java.nio.charset.StandardCharsets;
import org.pop3proxy.engine.internal.LogText;

/**
 * A server's one-line answer, checked: it starts with {@code +OK} or {@code -ERR} (any case),
 * followed by a blank or the line end.
 *
 * @param ok  whether it is positive
 * @param raw the line as received, line end included, for relaying byte for byte
 */
record StatusLine(boolean ok, byte[] raw) {
    /** RFC 2449 §4: responses are at most 512 octets, CRLF included. */
    static final int MAX_LENGTH = 512;

    /** Returns the checked status line in {@code b[0..len)} (line end included), or null. */
    static StatusLine parse(byte[] b, int len) {
        return parse(b, 0, len);
    }

    /** Returns the checked status line in {@code b[off..off+len)} (line end included), or null. */
    static StatusLine parse(byte[] b, int off, int len) {
        boolean ok;
        int word;
        if (startsWith(b, off, len, "+OK")) {
            ok = true;
            word = 3;
        } else if (startsWith(b, off, len, "-ERR")) {
            ok = false;
            word = 4;
        } else {
            return null;
        }
        byte after = b[off + word];
        if (after != ' ' && after != '\r' && after != '\n') {
            return null;
        }
        for (int i = 0; i < len; i++) {
            int c = b[off + i] & 0xff;
            boolean lineEnd = i >= len - 2 && (c == '\r' && i == len - 2 || c == '\n' && i == len - 1);
            if ((c < 0x20 && c != '\t' && !lineEnd) || c == 0x7f) {
                return null;
            }
        }
        byte[] raw = new byte[len];
        System.arraycopy(b, off, raw, 0, len);
        return new StatusLine(ok, raw);
    }

    private static boolean startsWith(byte[] b, int off, int len, String prefix) {
        if (len <= prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toUpperCase((char) (b[off + i] & 0xff)) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Returns the text after {@code +OK }/{@code -ERR }, without the line end. */
    String text() {
        int start = ok ? 3 : 4;
        int end = raw.length;
        while (end > start && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
            end--;
        }
        if (start < end && raw[start] == ' ') {
            start++;
        }
        return new String(raw, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Returns the line with a CRLF end, as it goes to the client. */
    byte[] toClient() {
        int n = raw.length;
        if (n >= 2 && raw[n - 2] == '\r') {
            return raw;
        }
        byte[] fixed = new byte[n + 1];
        System.arraycopy(raw, 0, fixed, 0, n - 1);
        fixed[n - 1] = '\r';
        fixed[n] = '\n';
        return fixed;
    }

    @Override
    public String toString() {
        return (ok ? "+OK " : "-ERR ") + LogText.escape(text());
    }
}
