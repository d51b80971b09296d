package org.pop3proxy.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Makes the benchmark's messages: plain text with CRLF line ends and some dot-led lines. */
final class Messages {
    private Messages() {}

    /** Returns a small message of about two kilobytes. */
    static byte[] small(int n) {
        return message("small " + n, 2 * 1024);
    }

    /** Returns a message of about {@code size} octets. */
    static byte[] message(String subject, int size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(size + 1024);
        write(b, "From: bench@example.org\r\nTo: user@example.org\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.replace(' ', '.') + "@bench.example.org>\r\n\r\n");
        for (int line = 0; b.size() < size; line++) {
            // One line in a hundred starts with a dot, so the server must dot-stuff it.
            String lead = line % 100 == 99 ? "." : "L";
            write(b, lead + String.format("%08d", line)
                    + " The quick brown fox jumps over the lazy dog; pack my box with jugs.\r\n");
        }
        return b.toByteArray();
    }

    private static void write(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
