package org.pop3proxy.engine.hardening;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pop3proxy.engine.ProxyServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 2,000 concurrent sessions in daemon mode against GreenMail, all held open at once, logged in
 * and exercised (STAT, LIST, UIDL, RETR, NOOP), then ended half by QUIT and half by a dropped
 * connection. Afterwards descriptors, heap and threads must be back at the baseline. One round
 * runs in the normal test run (~30 s); {@code -Dpop3proxy.soak.minutes=N} repeats rounds for N
 * minutes. Needs about 4 descriptors per session (client, proxy both ways, GreenMail).
 */
class LoadSoakTest {
    static final int SESSIONS = Integer.getInteger("pop3proxy.load.sessions", 2000);
    static final int USERS = 50;
    static final long SOAK_MINUTES = Long.getLong("pop3proxy.soak.minutes", 0);
    static final String MESSAGE = "Subject: load\r\nFrom: a@example.org\r\n\r\nbody line\r\n.dot line\r\n";

    @Test
    void twoThousandSessionsComeAndGoWithoutLeaks() throws Exception {
        long fdLimit = openFileLimit();
        long needed = 4L * SESSIONS + 500;
        Assumptions.assumeTrue(fdLimit >= needed, () -> {
            String why = "open-file limit " + fdLimit + " < " + needed + " needed for " + SESSIONS
                    + " sessions; raise ulimit -n to run the load test";
            System.out.println("LoadSoakTest skipped: " + why);
            return why;
        });

        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        java.util.concurrent.ThreadPoolExecutor pool = (java.util.concurrent.ThreadPoolExecutor) Executors.newFixedThreadPool(16);
        pool.prestartAllCoreThreads(); // The test's own threads belong to the baseline.
        try {
            for (int u = 0; u < USERS; u++) {
                GreenMailUser user = greenMail.setUser("u" + u + "@example.org", "u" + u, "secret");
                user.deliver(new MimeMessage(Session.getInstance(new Properties()),
                        new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
            }
            int threadsBefore = Thread.activeCount();
            ProxyServer proxy = Harness.listen(Harness.config(greenMail.getPop3().getPort(), Duration.ofSeconds(60))
                    .maxSessionsPerClient(SESSIONS + 100).maxSessions(SESSIONS + 100).build());
            round(proxy, pool, 0, 20); // Warm up: classes, buffers, the pool's timer threads.
            assertTrue(await(() -> proxy.openSessions() == 0, 10_000));
            settleHeap();
            long fdsBefore = openFds();
            long heapBefore = usedHeap();

            long rounds = 0;
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(SOAK_MINUTES);
            long start = System.nanoTime();
            do {
                round(proxy, pool, rounds, SESSIONS);
                rounds++;
            } while (System.nanoTime() < end);
            assertTrue(await(() -> proxy.openSessions() == 0, 30_000), "open: " + proxy.openSessions());
            assertTrue(await(() -> openFds() <= fdsBefore + 20, 30_000),
                    "descriptors back at the baseline: " + openFds() + " vs " + fdsBefore);
            settleHeap();
            long heapAfter = usedHeap();
            System.out.printf("load: %d round(s) of %d sessions in %d s; fds %d -> %d; heap %d -> %d MiB%n",
                    rounds, SESSIONS, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), fdsBefore,
                    openFds(), heapBefore >> 20, heapAfter >> 20);
            assertTrue(heapAfter < heapBefore + 64L * 1024 * 1024,
                    "heap back near the baseline: " + (heapAfter >> 20) + " vs " + (heapBefore >> 20) + " MiB");

            proxy.close();
            assertTrue(await(() -> Thread.activeCount() <= threadsBefore + 5, 30_000),
                    () -> "threads back at the baseline: " + Thread.activeCount() + " vs " + threadsBefore + ": "
                            + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
        } finally {
            pool.shutdownNow();
            greenMail.stop();
        }
    }

    /** Opens {@code n} sessions, holds them all, exercises each, then ends them. */
    private static void round(ProxyServer proxy, ExecutorService pool, long round, int n) throws Exception {
        List<RawClient> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                RawClient c = new RawClient(proxy.port(), 60_000);
                clients.add(c);
            }
            forEach(pool, clients, (i, c) -> {
                c.expect("+OK POP3 proxy ready");
                c.send("USER u" + (i % USERS)).expect("+OK password required");
                c.send("PASS secret");
                String reply = c.readLine();
                assertTrue(reply != null && reply.startsWith("+OK"), "login " + i + ": " + reply);
            });
            assertEquals(n, proxy.openSessions(), "all sessions held open at once");
            forEach(pool, clients, (i, c) -> {
                String stat = c.send("STAT").readLine();
                assertTrue(stat.startsWith("+OK 1 "), stat);
                c.send("LIST").expect("+OK");
                assertTrue(c.readLine().startsWith("1 "));
                c.expect(".");
                c.send("UIDL 1");
                assertTrue(c.readLine().startsWith("+OK 1 "));
                c.send("RETR 1");
                assertTrue(c.readLine().startsWith("+OK"));
                String line;
                boolean dotStuffed = false;
                while (!(line = c.readLine()).equals(".")) {
                    dotStuffed |= line.equals("..dot line");
                }
                assertTrue(dotStuffed, "the body came whole, dot-stuffing intact");
                c.send("NOOP");
                assertTrue(c.readLine().startsWith("+OK"));
                if ((i + round) % 2 == 0) {
                    c.send("QUIT");
                    assertTrue(c.readLine().startsWith("+OK"));
                    assertTrue(c.closedByPeer());
                }
                c.close();
            });
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    /** One client's work. */
    @FunctionalInterface
    interface Step {
        void run(int index, RawClient client) throws Exception;
    }

    private static void forEach(ExecutorService pool, List<RawClient> clients, Step step) throws Exception {
        int workers = 16;
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int first = w;
            done.add(pool.submit(() -> {
                for (int i = first; i < clients.size(); i += workers) {
                    step.run(i, clients.get(i));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
    }

    private static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Returns the soft open-file limit from /proc/self/limits, or Long.MAX_VALUE if unknown. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    private static void settleHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
