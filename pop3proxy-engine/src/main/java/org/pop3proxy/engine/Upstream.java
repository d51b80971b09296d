package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The connection to the POP3 server: sends commands, reads checked status lines and relays
 * multi-line bodies byte for byte. Every server-side fault becomes an {@link UpstreamFailure};
 * a failed write to the client becomes {@link ClientGone}.
 */
final class Upstream implements AutoCloseable {
    /** Holds status lines; bodies go through a {@link BufferPool} buffer lent for the relay. */
    static final int BUFFER = 2 * StatusLine.MAX_LENGTH;

    private final Closeable connection;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int end;

    Upstream(Socket socket) throws IOException {
        this(socket.getInputStream(), socket.getOutputStream(), socket);
    }

    /**
     * Returns the connection over a plain socket, each read bounded by {@code timeoutMillis}
     * through a {@link SocketReadDeadline} instead of {@code SO_TIMEOUT}, which it clears.
     */
    static Upstream plain(Socket socket, long timeoutMillis) throws IOException {
        socket.setSoTimeout(0);
        return new Upstream(new SocketReadDeadline(socket.getInputStream(), socket, timeoutMillis),
                socket.getOutputStream(), socket);
    }

    Upstream(InputStream in, OutputStream out, Closeable connection) {
        this.in = in;
        this.out = out;
        this.connection = connection;
    }

    /** Sends one command line; CRLF is added. The server must not have spoken first. */
    void send(String line) throws UpstreamFailure {
        if (pos < end) {
            throw new UpstreamFailure("server sent data before the command");
        }
        try {
            if (in.available() > 0) {
                throw new UpstreamFailure("server sent data before the command");
            }
            byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UpstreamFailure("write to server failed: " + e.getMessage());
        }
    }

    /**
     * Returns whether the server sent bytes past the last status line read; before a TLS
     * upgrade that must be false, or the server (or someone on the path) is injecting.
     */
    boolean hasUnread() {
        if (pos < end) {
            return true;
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Reads and checks one status line. */
    StatusLine readStatus() throws UpstreamFailure {
        int start = pos;
        int scanned = 0;
        while (true) {
            for (int i = start + scanned; i < end; i++) {
                if (buf[i] == '\n') {
                    int len = i + 1 - start;
                    if (len > StatusLine.MAX_LENGTH) {
                        throw new UpstreamFailure("server reply longer than " + StatusLine.MAX_LENGTH + " octets");
                    }
                    pos = i + 1;
                    StatusLine status = StatusLine.parse(copyOfRange(start, len), len);
                    if (status == null) {
                        throw new UpstreamFailure("malformed server reply: "
                                + LogText.escape(new String(buf, start, len, StandardCharsets.ISO_8859_1)));
                    }
                    return status;
                }
            }
            scanned = end - start;
            if (scanned >= StatusLine.MAX_LENGTH) {
                throw new UpstreamFailure("server reply longer than " + StatusLine.MAX_LENGTH + " octets");
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, scanned);
                pos = 0;
                end = scanned;
                start = 0;
            }
            fill();
        }
    }

    private byte[] copyOfRange(int start, int len) {
        byte[] line = new byte[len];
        System.arraycopy(buf, start, line, 0, len);
        return line;
    }

    /**
     * Copies a multi-line body to {@code client} byte for byte, terminator included. If the
     * server stops before the terminator, the client never receives one.
     */
    void relayBody(OutputStream client) throws UpstreamFailure, ClientGone {
        BodyEnd bodyEnd = new BodyEnd();
        if (pos < end && copy(bodyEnd, buf, pos, end, client)) {
            pos = end;
            return;
        }
        pos = 0;
        end = 0;
        byte[] big = BufferPool.take();
        try {
            while (true) {
                int n = read(big, 0, big.length);
                if (copy(bodyEnd, big, 0, n, client)) {
                    return;
                }
            }
        } finally {
            BufferPool.give(big);
        }
    }

    /** Copies {@code b[from..to)} up to the body's end; returns whether the body ended there. */
    private static boolean copy(BodyEnd bodyEnd, byte[] b, int from, int to, OutputStream client)
            throws UpstreamFailure, ClientGone {
        int stop = bodyEnd.scan(b, from, to);
        int until = stop < 0 ? to : stop;
        try {
            client.write(b, from, until - from);
            if (stop >= 0) {
                client.flush();
            }
        } catch (IOException e) {
            throw new ClientGone("write to client failed: " + e.getMessage());
        }
        if (stop >= 0 && stop < to) {
            throw new UpstreamFailure("server sent data after the end of a body");
        }
        return stop >= 0;
    }

    /** Reads more from the server into the status buffer after {@code end}. */
    private void fill() throws UpstreamFailure {
        end += read(buf, end, buf.length - end);
    }

    /** Reads at least one byte from the server; EOF, errors and timeouts are failures. */
    private int read(byte[] b, int off, int len) throws UpstreamFailure {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (SocketTimeoutException e) {
            throw new UpstreamFailure("server timed out");
        } catch (IOException e) {
            throw new UpstreamFailure("read from server failed: " + e.getMessage());
        }
        if (n < 0) {
            throw new UpstreamFailure("server closed the connection");
        }
        return n;
    }

    /**
     * Reads body bytes that follow the last status line: first what is buffered, then from the
     * server. Returns at least one byte; EOF, errors and timeouts are failures.
     */
    int readBody(byte[] b) throws UpstreamFailure {
        if (pos < end) {
            int n = Math.min(b.length, end - pos);
            System.arraycopy(buf, pos, b, 0, n);
            pos += n;
            return n;
        }
        return read(b, 0, b.length);
    }

    /** Closes the connection without a QUIT: the server rolls back, nothing is deleted. */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do.
        }
    }
}
