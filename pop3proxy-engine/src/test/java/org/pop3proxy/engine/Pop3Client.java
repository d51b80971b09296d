package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A script-style test client: send a line, expect an exact line; reads time out at 5 s. */
final class Pop3Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Pop3Client(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Pop3Client send(String line) throws IOException {
        return sendRaw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    Pop3Client sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    Pop3Client expect(String line) throws IOException {
        assertEquals(line, readLine());
        return this;
    }

    Pop3Client expectStartsWith(String prefix) throws IOException {
        String line = readLine();
        assertTrue(line != null && line.startsWith(prefix), () -> "expected " + prefix + "... but got " + line);
        return this;
    }

    /** Reads one line without its CRLF; null at EOF. Fails on a bare LF. */
    String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] line = b.toByteArray();
                assertTrue(line.length > 0 && line[line.length - 1] == '\r', "line not ended by CRLF");
                return new String(line, 0, line.length - 1, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : fail("EOF inside a line: " + b);
    }

    /** Reads a multi-line body up to and including the terminating dot line, as raw bytes. */
    byte[] readBody() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        // The last five bytes, packed; the body ends at CRLF.CRLF, or is just .CRLF.
        long last = 0;
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            last = ((last << 8) | c) & 0xff_ffff_ffffL;
            if ((last & 0xff_ffffL) == 0x2e0d0aL && (b.size() == 3 || last == 0x0d0a2e0d0aL)) {
                return b.toByteArray();
            }
        }
        return fail("EOF inside a body");
    }

    /** Asserts the proxy closes the connection (EOF) without sending anything more. */
    void expectClosed() throws IOException {
        try {
            int c = in.read();
            assertEquals(-1, c, "expected the connection to close");
        } catch (SocketTimeoutException e) {
            fail("connection not closed within the timeout");
        } catch (IOException reset) {
            // A reset is a close too.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
