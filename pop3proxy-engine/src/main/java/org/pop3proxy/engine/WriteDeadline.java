package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds every write to a client by the session timeout. A blocking socket write has no timeout
 * of its own, so a client that stops reading would hold its session (and a relay buffer) for
 * ever; here a shared timer closes the connection when one write takes longer than the timeout,
 * and the blocked write then fails.
 */
final class WriteDeadline extends OutputStream {
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private final OutputStream out;
    private final Closeable connection;
    private final long timeoutMillis;

    WriteDeadline(OutputStream out, Closeable connection, long timeoutMillis) {
        this.out = out;
        this.connection = connection;
        this.timeoutMillis = timeoutMillis;
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pop3proxy-write-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> deadline = arm();
        try {
            out.write(b, off, len);
        } finally {
            deadline.cancel(false);
        }
    }

    @Override
    public void flush() throws IOException {
        ScheduledFuture<?> deadline = arm();
        try {
            out.flush();
        } finally {
            deadline.cancel(false);
        }
    }

    private ScheduledFuture<?> arm() {
        return TIMER.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void expire() {
        try {
            connection.close();
        } catch (IOException ignored) {
            // The point was to end the connection; it is ended either way.
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
