package org.pop3proxy.engine;

/**
 * Lends buffers only while a command or reply is in flight, so that an idle session holds none:
 * the large ones that body relays need ({@link #take}, {@link #give}) and small ones for status
 * and command lines ({@link #SMALL}). Each pool keeps at most a few returned buffers; beyond that
 * they are left to the garbage collector.
 *
 * <p>A pool is a stack under a lock: the buffer given back last is lent first, while it is still
 * in the cache, and giving one back allocates nothing. A lock-free queue lent the coldest buffer,
 * allocated a node per return, and its retry branches, taken for the first time under contention,
 * made the JIT throw away the session code they had been compiled into (docs/PERFORMANCE.md §2a,
 * seventh pass); the lock is held for a few instructions.
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
    /** The kept buffers, {@code free[0..kept)}; the last one is lent first. Guarded by this. */
    private final byte[][] free;
    private int kept;

    BufferPool(int size, int keep) {
        this.size = size;
        this.free = new byte[keep][];
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
        byte[] b = null;
        synchronized (this) {
            if (kept > 0) {
                b = free[--kept];
                free[kept] = null;
            }
        }
        return b != null ? b : new byte[size];
    }

    /** Keeps {@code b} for the next {@link #lend} unless enough are kept; other sizes are dropped. */
    void takeBack(byte[] b) {
        if (b.length != size) {
            return;
        }
        synchronized (this) {
            if (kept < free.length) {
                free[kept++] = b;
            }
        }
    }

    /** Returns how many returned buffers are kept now (for tests). */
    synchronized int kept() {
        return kept;
    }
}
