package org.pop3proxy.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lends the large buffers that body relays need, so that an idle session holds none. Keeps at
 * most {@link #KEEP} returned buffers; beyond that they are left to the garbage collector.
 */
final class BufferPool {
    static final int SIZE = 64 * 1024;
    static final int KEEP = 64;

    private static final ConcurrentLinkedQueue<byte[]> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger KEPT = new AtomicInteger();

    private BufferPool() {}

    static byte[] take() {
        byte[] b = FREE.poll();
        if (b == null) {
            return new byte[SIZE];
        }
        KEPT.decrementAndGet();
        return b;
    }

    static void give(byte[] b) {
        if (KEPT.incrementAndGet() <= KEEP) {
            FREE.offer(b);
        } else {
            KEPT.decrementAndGet();
        }
    }
}
