package org.pop3proxy.engine;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A script-style test client: send a line, expect an exact line; it can start TLS (STLS) or speak
 * it from the start. Reads are buffered; starting TLS asserts that nothing is buffered or waiting,
 * since the proxy must send nothing after its STLS answer. Reads time out at 5 s.
 */
final class Pop3Client implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Pop3Client(int port) throws IOException {
        use(new Socket("127.0.0.1", port));
    }

    /** Connects with TLS from the first byte, checking the name {@code localhost}. */
    static Pop3Client implicit(int port, SSLContext trust) throws IOException {
        Pop3Client c = new Pop3Client(port);
        c.startTls(trust);
        return c;
    }

    private void use(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout(5000);
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    /** Runs the client side of a TLS handshake over the current connection. */
    Pop3Client startTls(SSLContext trust) throws IOException {
        assertEquals(0, in.available(), "the proxy sent data after its answer to STLS");
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.startHandshake();
        use(tls);
        return this;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    SSLSocket tlsSocket() {
        return (SSLSocket) socket;
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

    /** Reads lines up to and including the {@code .} line. */
    List<String> readMultiLine() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            assertTrue(line != null, "EOF inside a multi-line answer");
            lines.add(line);
        } while (!line.equals("."));
        return lines;
    }

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

    /** Asserts the proxy closes the connection without sending anything more. */
    void expectClosed() throws IOException {
        try {
            int c = in.read();
            assertEquals(-1, c, "expected the connection to close");
        } catch (SocketTimeoutException e) {
            fail("connection not closed within the timeout");
        } catch (IOException reset) {
            // A reset (or a TLS alert) is a close too.
        }
    }

    /**
     * Asserts the proxy closes the connection after at most a TLS alert record (a failed
     * handshake), and never a POP3 line.
     */
    void expectClosedAfterTlsAlert() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
            }
        } catch (SocketTimeoutException e) {
            fail("connection not closed within the timeout");
        } catch (IOException reset) {
            // A reset is a close too.
        }
        byte[] got = b.toByteArray();
        assertTrue(got.length == 0 || (got[0] == 0x15 && got.length <= 7), () -> "expected a TLS alert, got " + b);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
