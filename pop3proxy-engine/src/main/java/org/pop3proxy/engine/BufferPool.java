package org.pop3proxy.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lends buffers only while a command or reply is in flight, so that an idle session holds none:
 * the large ones that body relays need ({@link #take}, {@link #give}) and small ones for status
 * and command lines ({@link #SMALL}). Each pool keeps at most a few returned buffers; beyond that
 * they are left to the garbage collector.
 */
final class BufferPool {
    static final int SIZE = 64 * 1024;
    static final int KEEP = 64;
    /** Holds a status line of {@link StatusLine#MAX_LENGTH} with room to read past it, or a command line. */
    static final int SMALL_SIZE = 2 * StatusLine.MAX_LENGTH;
    static final int SMALL_KEEP = 256;

    private static final BufferPool BODIES = new BufferPool(SIZE, KEEP);
    /** Lends {@link #SMALL_SIZE} buffers for one status line or command line at a time. */
    static final BufferPool SMALL = new BufferPool(SMALL_SIZE, SMALL_KEEP);

    private final int size;
    private final int keep;
    private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();

    private BufferPool(int size, int keep) {
        this.size = size;
        this.keep = keep;
    }

    /** Lends a {@link #SIZE} body buffer. */
    static byte[] take() {
        return BODIES.lend();
    }

    /** Takes a body buffer back. */
    static void give(byte[] b) {
        BODIES.takeBack(b);
    }

    /** Returns a buffer of this pool's size, a kept one when there is one. */
    byte[] lend() {
        byte[] b = free.poll();
        if (b == null) {
            return new byte[size];
        }
        kept.decrementAndGet();
        return b;
    }

    /** Keeps {@code b} for the next {@link #lend} unless enough are kept; other sizes are dropped. */
    void takeBack(byte[] b) {
        if (b.length != size) {
            return;
        }
        if (kept.incrementAndGet() <= keep) {
            free.offer(b);
        } else {
            kept.decrementAndGet();
        }
    }

    /** Returns how many returned buffers are kept now (for tests). */
    int kept() {
        return kept.get();
    }
}
