package org.pop3proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    void theBufferGivenBackLastIsLentFirst() {
        BufferPool pool = new BufferPool(16, 4);
        byte[] a = pool.lend();
        byte[] b = pool.lend();
        pool.takeBack(a);
        pool.takeBack(b);
        assertSame(b, pool.lend());
        assertSame(a, pool.lend());
        assertEquals(0, pool.kept());
        assertNotSame(a, pool.lend(), "an empty pool makes a new buffer");
    }

    @Test
    void keepsAtMostItsLimitAndDropsForeignSizes() {
        BufferPool pool = new BufferPool(16, 2);
        pool.takeBack(new byte[15]);
        assertEquals(0, pool.kept());
        for (int i = 0; i < 5; i++) {
            pool.takeBack(new byte[16]);
        }
        assertEquals(2, pool.kept());
        assertEquals(16, pool.lend().length);
        assertEquals(1, pool.kept());
    }

    @Test
    void neverLendsOneBufferTwiceAtOnce() throws Exception {
        BufferPool pool = new BufferPool(8, 64);
        int threads = 8;
        int rounds = 20_000;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte mark = (byte) (t + 1);
                results.add(executor.submit(() -> {
                    start.await();
                    int clashes = 0;
                    for (int r = 0; r < rounds; r++) {
                        byte[] b = pool.lend();
                        b[0] = mark;
                        Thread.yield();
                        if (b[0] != mark) {
                            clashes++;
                        }
                        pool.takeBack(b);
                    }
                    return clashes;
                }));
            }
            start.countDown();
            int clashes = 0;
            for (Future<Integer> f : results) {
                clashes += f.get();
            }
            assertEquals(0, clashes, "a buffer lent to two threads at once");
        } finally {
            executor.shutdownNow();
        }
        Set<byte[]> kept = new HashSet<>();
        int n = pool.kept();
        for (int i = 0; i < n; i++) {
            kept.add(pool.lend());
        }
        assertEquals(n, kept.size(), "a buffer kept twice");
    }
}
