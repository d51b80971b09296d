package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.Transport;
import org.pop3proxy.api.UpstreamOptions;
import org.pop3proxy.engine.internal.LogText;

/**
 * The connection to the POP3 server: sends commands, reads checked status lines and relays
 * multi-line bodies byte for byte. Every server-side fault becomes an {@link UpstreamFailure};
 * a failed write to the client becomes {@link ClientGone}.
 */
final class Upstream implements AutoCloseable {
    /** Holds status lines; bodies go through a {@link BufferPool} buffer lent for the relay. */
    static final int BUFFER = BufferPool.SMALL_SIZE;
    private static final byte[] NONE = new byte[0];

    private final Closeable connection;
    private final InputStream in;
    private final OutputStream out;
    /**
     * Borrowed while a reply is read and bytes of it are left: from {@link BufferPool#SMALL}, or a
     * body buffer ({@link BufferPool#SIZE} long) when a body follows the status line.
     */
    private byte[] buf = NONE;
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

    /**
     * Connects to {@code server} through {@code transport}. {@link Transport#PLAIN} on a platform
     * thread connects here instead, the same way but with an untimed connect that the
     * {@link Watchdog} bounds by the connect timeout (to within its tick): a timed connect makes
     * the socket non-blocking, polls for the result and makes it blocking again, six system calls
     * more per session. On a virtual thread the JDK connects without blocking in either case, and
     * only its timed connect polls before parking, so there {@code PLAIN} is used as it is.
     */
    static Socket connect(Transport transport, ServerTarget server, UpstreamOptions options) throws IOException {
        if (transport != Transport.PLAIN || SessionThreads.onVirtualThread()) {
            return transport.connect(server, options);
        }
        Socket socket = new Socket(Proxy.NO_PROXY);
        try {
            if (options.sourceAddress().isPresent()) {
                socket.bind(new InetSocketAddress(options.sourceAddress().get(), 0));
            }
            socket.setTcpNoDelay(true);
            InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
            ConnectDeadline deadline = new ConnectDeadline(socket);
            deadline.arm(options.connectTimeout().toNanos());
            try {
                socket.connect(address);
            } catch (IOException e) {
                throw deadline.expired ? new SocketTimeoutException("Connect timed out") : e;
            } finally {
                deadline.disarm();
            }
            if (deadline.expired) {
                throw new SocketTimeoutException("Connect timed out");
            }
            socket.setSoTimeout(Math.toIntExact(options.readTimeout().toMillis()));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Closes a connecting socket when its connect outlasts the timeout, and says so. */
    private static final class ConnectDeadline implements Closeable {
        private final Socket socket;
        private final Watchdog.Deadline deadline;
        private volatile boolean expired;

        ConnectDeadline(Socket socket) {
            this.socket = socket;
            this.deadline = new Watchdog.Deadline(this);
        }

        void arm(long nanos) {
            deadline.arm(nanos);
        }

        void disarm() {
            deadline.disarm();
        }

        @Override
        public void close() throws IOException {
            expired = true;
            socket.close();
        }
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
        return readStatus(false);
    }

    /**
     * Reads and checks one status line; with {@code bodyFollows} (RETR, TOP, LIST and UIDL of
     * every message) into a body buffer, so that the status line and as much of the body as has
     * come arrive in one read, as through a blind relay, and {@link #relayBody} goes on in the
     * same buffer. A 1 KB status buffer took a second read for every body above about 1 KB.
     */
    StatusLine readStatus(boolean bodyFollows) throws UpstreamFailure {
        if (buf == NONE) {
            buf = bodyFollows ? BufferPool.take() : BufferPool.SMALL.lend();
        }
        try {
            return readStatusLine();
        } finally {
            releaseIfRead();
        }
    }

    private StatusLine readStatusLine() throws UpstreamFailure {
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
                    StatusLine status = StatusLine.parse(buf, start, len);
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

    /**
     * Copies a multi-line body to {@code client} byte for byte, terminator included. If the
     * server stops before the terminator, the client never receives one.
     */
    void relayBody(OutputStream client) throws UpstreamFailure, ClientGone {
        relayBody(client, new byte[0]);
    }

    /**
     * Sends {@code head} (the status line) and then the body like {@link #relayBody(OutputStream)},
     * in one write with the first body bytes: what the status line's read brought along is held
     * until the next read, so that a small body leaves in one write, not three.
     */
    void relayBody(OutputStream client, byte[] head) throws UpstreamFailure, ClientGone {
        BodyEnd bodyEnd = new BodyEnd();
        byte[] from = buf;
        int start = pos;
        int left = end - pos;
        byte[] big;
        if (holdsBodyBuffer()) {
            // The relay owns the body buffer from here and gives it back below, on every path.
            big = buf;
            buf = NONE;
            pos = 0;
            end = 0;
        } else {
            big = BufferPool.take();
        }
        try {
            if (head.length + left > big.length) {
                // Only a status line ending in a bare LF (sent on as CRLF) in a full buffer.
                writeClient(client, head, head.length, false);
                head = NONE;
            }
            int n = head.length;
            System.arraycopy(from, start, big, n, left);
            System.arraycopy(head, 0, big, 0, n);
            int scanned = n;
            n += left;
            if (from != big) {
                pos = end;
                releaseIfRead();
            }
            boolean hold = true;
            while (true) {
                if (copy(bodyEnd, big, scanned, n, client)) {
                    return;
                }
                if (!hold || n == big.length) {
                    writeClient(client, big, n, false);
                    n = 0;
                }
                hold = false;
                scanned = n;
                try {
                    n += read(big, n, big.length - n);
                } catch (UpstreamFailure e) {
                    // What was held goes out as it would have without holding: never a terminator.
                    writeClient(client, big, n, true);
                    throw e;
                }
            }
        } finally {
            BufferPool.give(big);
        }
    }

    /**
     * Scans {@code b[from..to)} for the body's end; when it is there, writes {@code b[0..end)}
     * and returns true. Data after the end is a failure (after the body has gone out).
     */
    private static boolean copy(BodyEnd bodyEnd, byte[] b, int from, int to, OutputStream client)
            throws UpstreamFailure, ClientGone {
        int stop = bodyEnd.scan(b, from, to);
        if (stop < 0) {
            return false;
        }
        writeClient(client, b, stop, true);
        if (stop < to) {
            throw new UpstreamFailure("server sent data after the end of a body");
        }
        return true;
    }

    private static void writeClient(OutputStream client, byte[] b, int len, boolean flush) throws ClientGone {
        try {
            client.write(b, 0, len);
            if (flush) {
                client.flush();
            }
        } catch (IOException e) {
            throw new ClientGone("write to client failed: " + e.getMessage());
        }
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
            releaseIfRead();
            return n;
        }
        return read(b, 0, b.length);
    }

    /** Gives the status buffer back once every byte in it has been used. */
    private void releaseIfRead() {
        if (pos >= end) {
            giveBack();
        }
    }

    /** Gives the status buffer back to the pool it came from, read or not. */
    private void giveBack() {
        if (buf != NONE) {
            if (holdsBodyBuffer()) {
                BufferPool.give(buf);
            } else {
                BufferPool.SMALL.takeBack(buf);
            }
            buf = NONE;
            pos = 0;
            end = 0;
        }
    }

    private boolean holdsBodyBuffer() {
        return buf.length == BufferPool.SIZE;
    }

    /** Returns whether a status buffer is held now (for tests). */
    boolean holdsBuffer() {
        return buf != NONE;
    }

    /** Closes the connection without a QUIT: the server rolls back, nothing is deleted. */
    @Override
    public void close() {
        giveBack();
        try {
            connection.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do.
        }
    }
}
