package org.pop3proxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Bounds every read from a plain TCP socket by a timeout without making the read a timed one.
 * A timed read ({@code SO_TIMEOUT}) costs a {@code poll(2)} and a failed {@code read(2)} per wait
 * on a platform thread, and a timer scheduled and cancelled per wait on a virtual thread; an
 * untimed read is one blocking {@code read(2)}, or a plain park. Instead, a {@link Watchdog}
 * shuts the socket's input when one read waits longer than the timeout; the read ends and is
 * reported as a {@link SocketTimeoutException}, as {@code SO_TIMEOUT} would report it. Output
 * stays open, so the session can still answer {@code -ERR timeout}; input stays shut.
 *
 * <p>Only for plain sockets: a TLS socket keeps {@code SO_TIMEOUT}, since shutting the input
 * under it would break the TLS connection for the answer too.
 */
final class SocketReadDeadline extends InputStream {
    private final InputStream in;
    private final Watchdog.Deadline deadline;
    private volatile boolean expired;
    private long timeoutMillis;

    /**
     * Reads {@code in}, the input of {@code socket}. The caller clears the socket's
     * {@code SO_TIMEOUT}; left set, it still bounds the reads, only at the cost of timed reads.
     */
    SocketReadDeadline(InputStream in, Socket socket, long timeoutMillis) {
        this.in = in;
        this.deadline = new Watchdog.Deadline(() -> {
            expired = true;
            socket.shutdownInput();
        });
        this.timeoutMillis = timeoutMillis;
    }

    /** Returns the timeout of each read, in milliseconds. */
    long timeoutMillis() {
        return timeoutMillis;
    }

    /** Sets the timeout of the reads from now on. */
    void timeoutMillis(long millis) {
        timeoutMillis = millis;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (expired) {
            throw timedOut();
        }
        int n;
        deadline.arm(timeoutMillis * 1_000_000L);
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            if (expired) {
                throw timedOut();
            }
            throw e;
        } finally {
            deadline.disarm();
        }
        if (n < 0 && expired) {
            throw timedOut();
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static SocketTimeoutException timedOut() {
        return new SocketTimeoutException("Read timed out");
    }
}
