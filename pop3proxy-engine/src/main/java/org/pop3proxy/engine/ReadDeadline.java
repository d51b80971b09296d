package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounds every read from a client stream that has no timeout of its own (a pipe, a Unix
 * socket): a {@link Watchdog} closes {@code abort} when one read waits longer than the timeout.
 */
final class ReadDeadline extends InputStream {
    private final InputStream in;
    private final Watchdog.Deadline deadline;
    private final long timeoutNanos;

    ReadDeadline(InputStream in, Closeable abort, long timeoutMillis) {
        this.in = in;
        this.deadline = new Watchdog.Deadline(abort);
        this.timeoutNanos = timeoutMillis * 1_000_000L;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        deadline.arm(timeoutNanos);
        try {
            return in.read(b, off, len);
        } finally {
            deadline.disarm();
        }
    }
}
