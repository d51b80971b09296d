package org.pop3proxy.engine.hardening;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A POP3 client that can misbehave: raw bytes, no reading, reads with a deadline. */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        this(port, 10_000);
    }

    RawClient(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    Socket socket() {
        return socket;
    }

    InputStream in() {
        return in;
    }

    RawClient send(String line) throws IOException {
        return raw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one line without its line end; null at EOF or reset. */
    String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        try {
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String s = b.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(c);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return null;
        }
        return null;
    }

    /** Reads a line and fails unless it is {@code expected}. */
    RawClient expect(String expected) throws IOException {
        String line = readLine();
        if (!expected.equals(line)) {
            throw new AssertionError("expected <" + expected + "> but got <" + line + ">");
        }
        return this;
    }

    /** Reads the proxy's greeting and gives USER bob. */
    RawClient login0() throws IOException {
        expect("+OK POP3 proxy ready");
        return send("USER bob").expect("+OK password required");
    }

    /** Logs in through the proxy (USER, PASS) and expects both replies to be positive. */
    RawClient login() throws IOException {
        expect("+OK POP3 proxy ready");
        send("USER bob").expect("+OK password required");
        send("PASS secret");
        String reply = readLine();
        if (reply == null || !reply.startsWith("+OK")) {
            throw new AssertionError("login failed: " + reply);
        }
        return this;
    }

    /**
     * Reads everything until the proxy closes the connection; fails if it stays open past the
     * socket's read timeout. A reset counts as a close.
     */
    byte[] readToClose() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy did not close the connection; read " + b.size() + " bytes", e);
        } catch (IOException reset) {
            // A reset ends the connection too.
        }
        return b.toByteArray();
    }

    /** Returns whether the proxy closes the connection (EOF or reset) within the read timeout. */
    boolean closedByPeer() throws IOException {
        try {
            readToClose();
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
