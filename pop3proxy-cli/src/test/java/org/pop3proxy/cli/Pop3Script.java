package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A script-style POP3 client that keeps every byte it receives, so a test can say that nothing
 * but the expected POP3 lines came over the connection.
 */
final class Pop3Script implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    Pop3Script(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    Pop3Script send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads one line, CRLF included; fails on EOF. */
    String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            received.write(b);
            line.write(b);
            if (b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1);
            }
        }
        throw new IOException("EOF after " + received.toString(StandardCharsets.ISO_8859_1));
    }

    Pop3Script expect(String expected) throws IOException {
        assertEquals(expected + "\r\n", line());
        return this;
    }

    String expectStartsWith(String prefix) throws IOException {
        String line = line();
        assertTrue(line.startsWith(prefix) && line.endsWith("\r\n"), "expected " + prefix + "…, got " + line);
        return line;
    }

    /** Reads a multi-line body up to and including the terminating dot line. */
    byte[] readBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = line();
            body.write(line.getBytes(StandardCharsets.ISO_8859_1));
            if (line.equals(".\r\n")) {
                return body.toByteArray();
            }
        }
    }

    /** Asserts that the other side closes without sending anything more. */
    void expectClosed() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            rest.write(b);
        }
        assertEquals("", rest.toString(StandardCharsets.ISO_8859_1), "bytes after the last expected line");
    }

    /** Returns every byte received so far. */
    String received() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
