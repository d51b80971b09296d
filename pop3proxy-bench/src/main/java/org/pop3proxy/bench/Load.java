package org.pop3proxy.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load generator: each method drives one kind of load against one port (the proxy's or the
 * server's, the same code for both) and is bounded in count and in time.
 */
final class Load {
    static final String PASSWORD = "pw";
    static final int TIMEOUT_MILLIS = 30_000;

    private Load() {}

    /** One RETR of a large message. */
    record Retr(long octets, long nanos) {
        double mbPerSecond() {
            return octets / 1048576.0 / (nanos / 1e9);
        }
    }

    /** Logs in as {@code user}, times RETR of message 1 from the command to the terminator. */
    static Retr retr(int port, String user) throws IOException {
        try (Pop3Conn c = Pop3Conn.open(port, TIMEOUT_MILLIS).login(user, PASSWORD)) {
            long start = System.nanoTime();
            long octets = c.retr(1);
            long nanos = System.nanoTime() - start;
            c.command("QUIT");
            return new Retr(octets, nanos);
        }
    }

    /** The outcome of a run of full sessions. */
    record Sessions(int ok, int failed, long nanos, long[] sortedLatencies, String firstError) {
        double perSecond() {
            return ok / (nanos / 1e9);
        }

        double p50Millis() {
            return percentile(sortedLatencies, 0.50) / 1e6;
        }

        double p99Millis() {
            return percentile(sortedLatencies, 0.99) / 1e6;
        }
    }

    /**
     * Runs full sessions (connect, USER/PASS, STAT, RETR 1, QUIT) from {@code clients} threads,
     * client {@code i} logging in as {@code u<i>}, until {@code seconds} pass or
     * {@code maxSessions} sessions have been started.
     */
    static Sessions sessions(int port, int clients, double seconds, int maxSessions) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>("");
        List<long[]> perClient = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long begin = System.nanoTime();
        for (int t = 0; t < clients; t++) {
            String user = "u" + t;
            pool.execute(() -> {
                long[] lat = new long[maxSessions];
                int n = 0;
                while (System.nanoTime() < deadline && started.incrementAndGet() <= maxSessions) {
                    long s = System.nanoTime();
                    try (Pop3Conn c = Pop3Conn.open(port, TIMEOUT_MILLIS)) {
                        c.login(user, PASSWORD);
                        c.command("STAT");
                        c.retr(1);
                        c.command("QUIT");
                        lat[n++] = System.nanoTime() - s;
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet("", e.toString());
                    }
                }
                perClient.add(Arrays.copyOf(lat, n));
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination((long) seconds + 120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        long nanos = System.nanoTime() - begin;
        long[] all = perClient.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Sessions(all.length, failed.get(), nanos, all, firstError.get());
    }

    /** Logs in as {@code user} and returns the sorted round-trip times of {@code count} NOOPs. */
    static long[] noops(int port, String user, int count) throws IOException {
        long[] rtt = new long[count];
        try (Pop3Conn c = Pop3Conn.open(port, TIMEOUT_MILLIS).login(user, PASSWORD)) {
            for (int i = 0; i < count; i++) {
                long s = System.nanoTime();
                c.command("NOOP");
                rtt[i] = System.nanoTime() - s;
            }
            c.command("QUIT");
        }
        Arrays.sort(rtt);
        return rtt;
    }

    /** Sessions opened and left idle after login. */
    record Idle(List<Pop3Conn> connections, int failed, String firstError) implements AutoCloseable {
        @Override
        public void close() {
            for (Pop3Conn c : connections) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // Dropping the session is the point.
                }
            }
        }
    }

    /**
     * Opens {@code count} sessions from {@code clients} threads and logs each in as
     * {@code u<i % users>}; stops opening at {@code seconds}.
     */
    static Idle idle(int port, int count, int clients, int users, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Pop3Conn> open = Collections.synchronizedList(new ArrayList<>(count));
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>("");
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int t = 0; t < clients; t++) {
            pool.execute(() -> {
                for (int i; (i = next.getAndIncrement()) < count && System.nanoTime() < deadline; ) {
                    Pop3Conn c = null;
                    try {
                        c = Pop3Conn.open(port, TIMEOUT_MILLIS);
                        c.login("u" + (i % users), PASSWORD);
                        open.add(c);
                    } catch (IOException | RuntimeException e) {
                        firstError.compareAndSet("", e.toString());
                        if (c != null) {
                            try {
                                c.close();
                            } catch (IOException ignored) {
                                // Counted as failed: it is not in the open list.
                            }
                        }
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination((long) seconds + 60, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        // Sessions never tried because time ran out count as failed too.
        return new Idle(new ArrayList<>(open), count - open.size(), firstError.get());
    }

    /** Returns the {@code q} quantile of a sorted array, 0 when it is empty. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
