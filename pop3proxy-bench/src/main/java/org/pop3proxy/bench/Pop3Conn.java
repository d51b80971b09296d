package org.pop3proxy.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking POP3 client for the load generator: one socket, buffered reads, commands
 * written in one call. Fails with an {@link IOException} on any reply that is not {@code +OK}.
 */
final class Pop3Conn implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** CRLF . CRLF as five octets. */
    private static final long TERMINATOR = 0x0d0a2e0d0aL;

    private final byte[] body = new byte[64 * 1024];

    private Pop3Conn(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects, reads the greeting and returns the connection. */
    static Pop3Conn open(int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            Pop3Conn c = new Pop3Conn(s);
            c.expectOk("greeting");
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Logs in with USER and PASS. */
    Pop3Conn login(String user, String password) throws IOException {
        command("USER " + user);
        command("PASS " + password);
        return this;
    }

    /** Sends one command and returns its status line, which must be {@code +OK}. */
    String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return expectOk(line.startsWith("PASS") ? "PASS" : line);
    }

    /** Sends RETR and returns the octets of the body, terminator included. */
    long retr(int message) throws IOException {
        command("RETR " + message);
        return readBody();
    }

    /**
     * Reads a multi-line body up to and including the line holding a lone dot; returns its
     * length in octets.
     */
    long readBody() throws IOException {
        long total = 0;
        // The last five octets seen; the body starts at a line start, as if after a CRLF.
        long tail = 0x0d0aL;
        while (true) {
            int n = in.read(body, 0, body.length);
            if (n < 0) {
                throw new IOException("connection closed in a body after " + total + " octets");
            }
            for (int i = 0; i < n; i++) {
                tail = (tail << 8 | (body[i] & 0xff)) & 0xff_ffff_ffffL;
                if (tail == TERMINATOR) {
                    if (i != n - 1 || in.available() > 0) {
                        throw new IOException("data after the end of a body");
                    }
                    return total + n;
                }
            }
            total += n;
        }
    }

    private String expectOk(String what) throws IOException {
        String line = readLine();
        if (!line.startsWith("+OK")) {
            throw new IOException(what + ": " + line);
        }
        return line;
    }

    private String readLine() throws IOException {
        StringBuilder b = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed" + (b.length() > 0 ? " after " + b : ""));
            }
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') {
                    b.setLength(len - 1);
                }
                return b.toString();
            }
            if (b.length() < 1024) {
                b.append((char) c);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
