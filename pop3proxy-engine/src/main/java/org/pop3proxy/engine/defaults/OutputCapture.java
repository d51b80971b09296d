package org.pop3proxy.engine.defaults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains one output stream of a child process on its own daemon thread, keeping the first
 * {@code limit} bytes and discarding the rest, so the child never blocks on a full pipe and
 * memory stays bounded however much it writes.
 */
final class OutputCapture implements Runnable {
    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(1);
    private long total;

    private OutputCapture(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /** Starts draining {@code in} on a new daemon thread named {@code name}. */
    static OutputCapture start(InputStream in, int limit, String name) {
        OutputCapture capture = new OutputCapture(in, limit);
        Thread thread = new Thread(capture, name);
        thread.setDaemon(true);
        thread.start();
        return capture;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                synchronized (this) {
                    int room = limit - kept.size();
                    if (room > 0) {
                        kept.write(buffer, 0, Math.min(n, room));
                    }
                    total += n;
                }
            }
        } catch (IOException e) {
            // The stream was closed under us: what was read so far stands.
        } finally {
            done.countDown();
        }
    }

    /** Waits up to {@code wait} for the end of the stream; returns whether it came. */
    boolean awaitEnd(Duration wait) throws InterruptedException {
        return done.await(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Returns the bytes kept so far. */
    synchronized byte[] bytes() {
        return kept.toByteArray();
    }

    /** Returns whether more was written than kept. */
    synchronized boolean truncated() {
        return total > kept.size();
    }
}
