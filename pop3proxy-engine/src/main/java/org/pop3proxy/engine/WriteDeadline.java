package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds every write to a client by the session timeout. A blocking socket write has no timeout
 * of its own, so a client that stops reading would hold its session (and a relay buffer) for
 * ever. A write marks when it started; one shared watchdog thread looks at the writes under way
 * a few times a second and closes the connection of any that is older than its timeout, so the
 * blocked write fails. Writes cost two volatile stores and a set insertion, no timer task.
 */
final class WriteDeadline extends OutputStream {
    /** How often the watchdog looks; a deadline is kept to within this much. */
    static final long TICK_MILLIS = 100;

    private static final Set<WriteDeadline> WRITING = ConcurrentHashMap.newKeySet();

    static {
        Thread watchdog = new Thread(WriteDeadline::watch, "pop3proxy-write-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private final OutputStream out;
    private final Closeable connection;
    private final long timeoutNanos;
    private volatile long started;

    WriteDeadline(OutputStream out, Closeable connection, long timeoutMillis) {
        this.out = out;
        this.connection = connection;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        begin();
        try {
            out.write(b, off, len);
        } finally {
            end();
        }
    }

    @Override
    public void flush() throws IOException {
        begin();
        try {
            out.flush();
        } finally {
            end();
        }
    }

    private void begin() {
        started = System.nanoTime();
        WRITING.add(this);
    }

    private void end() {
        WRITING.remove(this);
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (WriteDeadline w : WRITING) {
                if (now - w.started > w.timeoutNanos) {
                    WRITING.remove(w);
                    w.expire();
                }
            }
        }
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
