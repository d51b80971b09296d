package org.pop3proxy.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionThreadsTest {
    private static ExecutorService rest() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> new Thread(r, "rest-" + n.incrementAndGet()));
    }

    /** Runs a task that records its thread's name, then counts {@code done} down. */
    private static Runnable recorded(List<String> names, CountDownLatch done) {
        return () -> {
            names.add(Thread.currentThread().getName());
            done.countDown();
        };
    }

    /** Runs a task that records its thread's name and counts {@code started} down, then waits. */
    private static Runnable held(List<String> names, CountDownLatch started,
            CountDownLatch release) {
        Runnable record = recorded(names, started);
        return () -> {
            record.run();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** One pool thread, and a session waits up to a minute for it when it is on its way back. */
    private static SessionThreads.PlatformFirst oneThreadWaitingAMinute() {
        return new SessionThreads.PlatformFirst(1, rest(), TimeUnit.SECONDS.toNanos(60));
    }

    /** Waits until a pool thread has ended its session: it counts itself as between sessions. */
    private static void awaitBetweenSessions(SessionThreads.PlatformFirst sessions) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sessions.between() == 0) {
            assertTrue(System.nanoTime() < deadline, "the pool thread never ended its session");
            Thread.onSpinWait();
        }
    }

    private static long named(List<String> names, String prefix) {
        return names.stream().filter(n -> n.startsWith(prefix)).count();
    }

    @Test
    void sessionsBeyondThePlatformThreadsGoToTheRest() throws Exception {
        ExecutorService sessions = new SessionThreads.PlatformFirst(2, rest());
        List<String> names = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            sessions.execute(held(names, started, release));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(2, named(names, "pop3proxy-session-"), names.toString());
        assertEquals(1, named(names, "rest-"), names.toString());
        release.countDown();
        sessions.shutdown();
        assertTrue(sessions.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(sessions.isTerminated());
    }

    @Test
    void aPlatformThreadThatIsFreeAgainTakesTheNextSession() throws Exception {
        ExecutorService sessions = new SessionThreads.PlatformFirst(1, rest());
        List<String> names = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        sessions.execute(recorded(names, done));
        assertTrue(done.await(10, TimeUnit.SECONDS));
        // The pool thread may still be on its way back to waiting for work: a second session
        // then waits for it, at most a millisecond, or goes to the rest, and never fails.
        CountDownLatch second = new CountDownLatch(1);
        sessions.execute(recorded(names, second));
        assertTrue(second.await(10, TimeUnit.SECONDS));
        assertEquals("pop3proxy-session-1", names.get(0));
        assertTrue(names.get(1).equals("pop3proxy-session-1") || names.get(1).startsWith("rest-"),
                names.toString());
        sessions.shutdown();
        assertTrue(sessions.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void aSessionWaitsForAPoolThreadWhoseSessionIsEnding() throws Exception {
        SessionThreads.PlatformFirst sessions = oneThreadWaitingAMinute();
        List<String> names = new CopyOnWriteArrayList<>();
        CountDownLatch ending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Runnable closing = held(names, ending, release);
        sessions.execute(() -> {
            SessionThreads.sessionEnding();
            closing.run(); // the session's closing, held
        });
        assertTrue(ending.await(10, TimeUnit.SECONDS));
        assertEquals(1, sessions.between());
        CountDownLatch second = new CountDownLatch(1);
        Thread acceptor = new Thread(() -> sessions.execute(recorded(names, second)));
        acceptor.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (acceptor.getState() != Thread.State.TIMED_WAITING && second.getCount() > 0) {
            assertTrue(System.nanoTime() < deadline, "the acceptor neither waited nor handed over");
            Thread.onSpinWait();
        }
        assertEquals(1, second.getCount(), "the second session did not wait for the pool thread: " + names);
        release.countDown();
        assertTrue(second.await(10, TimeUnit.SECONDS));
        acceptor.join(10_000);
        assertEquals(List.of("pop3proxy-session-1", "pop3proxy-session-1"), names);
        assertEquals(1, sessions.between(), "the pool thread is between sessions again, once");
        sessions.shutdown();
        assertTrue(sessions.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void withEveryPoolThreadInASessionTheNextGoesToTheRestWithoutWaiting() throws Exception {
        // Were it to wait for a pool thread, it would wait the whole minute.
        SessionThreads.PlatformFirst sessions = oneThreadWaitingAMinute();
        List<String> names = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        sessions.execute(recorded(names, first));
        assertTrue(first.await(10, TimeUnit.SECONDS));
        awaitBetweenSessions(sessions);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        sessions.execute(held(names, started, release));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(0, sessions.between(), "the pool thread is in a session");
        CountDownLatch overflow = new CountDownLatch(1);
        sessions.execute(recorded(names, overflow));
        assertTrue(overflow.await(10, TimeUnit.SECONDS), "the third session waited for the pool");
        assertEquals("pop3proxy-session-1", names.get(1));
        assertTrue(names.get(2).startsWith("rest-"), names.toString());
        release.countDown();
        sessions.shutdown();
        assertTrue(sessions.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void shutDownItRefusesSessionsEvenWhenThePlatformThreadsAreBusy() throws Exception {
        ExecutorService sessions = new SessionThreads.PlatformFirst(1, rest());
        List<String> names = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        sessions.execute(held(names, started, release));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        sessions.shutdown();
        assertTrue(sessions.isShutdown());
        assertThrows(RejectedExecutionException.class,
                () -> sessions.execute(() -> names.add("late")));
        assertTrue(!sessions.awaitTermination(0, TimeUnit.SECONDS), "a session still runs");
        release.countDown();
        assertTrue(sessions.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of("pop3proxy-session-1"), names);
    }

    @Test
    void onThisJvmSessionsStartOnPlatformThreads() throws Exception {
        ExecutorService sessions = SessionThreads.newExecutor(10);
        CountDownLatch done = new CountDownLatch(1);
        List<String> names = new CopyOnWriteArrayList<>();
        sessions.execute(recorded(names, done));
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("pop3proxy-session-1"), names);
        sessions.shutdown();
        assertTrue(sessions.awaitTermination(10, TimeUnit.SECONDS));
    }
}
