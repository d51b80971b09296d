package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Bounds every write to a client by the session timeout. A blocking socket write has no timeout
 * of its own, so a client that stops reading would hold its session (and a relay buffer) for
 * ever; here a {@link Watchdog} closes the TCP connection when one write takes longer.
 */
final class WriteDeadline extends OutputStream {
    private final OutputStream out;
    private final Watchdog.Deadline deadline;
    private final long timeoutNanos;
    /** Whether {@link #out} is a plain socket's stream, which writes through and has nothing to flush. */
    private final boolean unbuffered;

    /** Writes to {@code out}; {@code tcp} is the plain socket (never TLS) to close on expiry. */
    WriteDeadline(OutputStream out, Closeable tcp, long timeoutMillis) {
        this(out, tcp, timeoutMillis, false);
    }

    /**
     * Writes to {@code out}, which is a plain socket's own output stream when {@code unbuffered}:
     * its {@code flush} does nothing, so it is passed on without arming the deadline.
     */
    WriteDeadline(OutputStream out, Closeable tcp, long timeoutMillis, boolean unbuffered) {
        this.out = out;
        this.deadline = new Watchdog.Deadline(tcp);
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.unbuffered = unbuffered;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        deadline.arm(timeoutNanos);
        try {
            out.write(b, off, len);
        } finally {
            deadline.disarm();
        }
    }

    @Override
    public void flush() throws IOException {
        if (unbuffered) {
            out.flush();
            return;
        }
        deadline.arm(timeoutNanos);
        try {
            out.flush();
        } finally {
            deadline.disarm();
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
