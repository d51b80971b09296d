package org.pop3proxy.engine;

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
 * A script-style test client that can start TLS (STLS) or speak it from the start; reads are
 * unbuffered so that nothing is swallowed before a handshake. Reads time out at 5 s.
 */
final class TlsPop3Client implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    TlsPop3Client(Socket socket) throws IOException {
        use(socket);
    }

    static TlsPop3Client plain(int port) throws IOException {
        return new TlsPop3Client(new Socket("127.0.0.1", port));
    }

    /** Connects with TLS from the first byte, checking the name {@code localhost}. */
    static TlsPop3Client implicit(int port, SSLContext trust) throws IOException {
        TlsPop3Client c = plain(port);
        c.startTls(trust);
        return c;
    }

    private void use(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout(5000);
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    /** Runs the client side of a TLS handshake over the current connection. */
    TlsPop3Client startTls(SSLContext trust) throws IOException {
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

    TlsPop3Client send(String line) throws IOException {
        return sendRaw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    TlsPop3Client sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    TlsPop3Client expect(String line) throws IOException {
        assertEquals(line, readLine());
        return this;
    }

    TlsPop3Client expectStartsWith(String prefix) throws IOException {
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
