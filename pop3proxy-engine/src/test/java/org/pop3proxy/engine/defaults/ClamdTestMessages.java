package org.pop3proxy.engine.defaults;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Test messages: the EICAR test string (never real malware) and clean mail of any size. */
public final class ClamdTestMessages {
    private ClamdTestMessages() {}

    /** Returns the 68-byte EICAR anti-virus test string, built from parts so no source file matches. */
    public static String eicar() {
        return "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*";
    }

    /** Returns a plain message with EICAR in its body. */
    public static byte[] eicarInline() {
        return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: test\r\n\r\n" + eicar() + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Returns a multipart message with EICAR only as a base64 attachment. */
    public static byte[] eicarAttachment() {
        String b64 = Base64.getMimeEncoder().encodeToString(eicar().getBytes(StandardCharsets.US_ASCII));
        return ("From: a@example.org\r\nTo: b@example.org\r\nSubject: attachment\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
                + "--XX\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n"
                + "--XX\r\nContent-Type: application/octet-stream; name=\"t.com\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"t.com\"\r\n\r\n"
                + b64 + "\r\n--XX--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Returns a short clean message. */
    public static byte[] small() {
        return "From: a@example.org\r\nTo: b@example.org\r\nSubject: hello\r\n\r\nHello, world.\r\n"
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes a clean text message of exactly {@code size} bytes (at least 100) to {@code file}. */
    public static Path writeClean(Path file, long size) throws IOException {
        byte[] header = "From: a@example.org\r\nTo: b@example.org\r\nSubject: big\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header);
            long left = size - header.length;
            while (left >= line.length) {
                out.write(line);
                left -= line.length;
            }
            for (; left > 0; left--) {
                out.write(left <= 2 ? (left == 2 ? '\r' : '\n') : 'x');
            }
        }
        return file;
    }
}
