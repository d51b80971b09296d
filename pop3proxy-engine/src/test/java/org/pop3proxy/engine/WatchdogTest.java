package org.pop3proxy.engine;

import java.io.Closeable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog's deadlines: a passed one closes its connection once, a disarmed one never, and
 * the list holds armed deadlines always and disarmed ones only until the next look. The
 * watchdog's own thread looks too; every assertion holds whichever look comes first.
 */
class WatchdogTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private static final class Counting implements Closeable {
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    @Test
    void aPassedDeadlineClosesOnceAndIsNotListedAfterwards() {
        Counting tcp = new Counting();
        Watchdog.Deadline d = new Watchdog.Deadline(tcp);
        d.arm(HOUR);
        assertTrue(Watchdog.listed(d));
        Watchdog.look(System.nanoTime() + 2 * HOUR);
        Watchdog.look(System.nanoTime() + 3 * HOUR);
        assertEquals(1, tcp.closed.get());
        Watchdog.look(System.nanoTime() + 4 * HOUR);
        assertFalse(Watchdog.listed(d));
        d.disarm();
        assertEquals(1, tcp.closed.get());
    }

    @Test
    void aDisarmedDeadlineNeverClosesAndLeavesTheList() {
        Counting tcp = new Counting();
        Watchdog.Deadline d = new Watchdog.Deadline(tcp);
        d.arm(HOUR);
        d.disarm();
        Watchdog.look(System.nanoTime() + 2 * HOUR);
        Watchdog.look(System.nanoTime() + 2 * HOUR);
        assertFalse(Watchdog.listed(d));
        assertEquals(0, tcp.closed.get());
    }

    @Test
    void reArmingListsTheDeadlineAgainWhateverCameBefore() {
        Counting tcp = new Counting();
        Watchdog.Deadline d = new Watchdog.Deadline(tcp);
        d.disarm();
        assertFalse(Watchdog.listed(d), "disarming an unarmed deadline lists nothing");
        d.arm(HOUR);
        d.disarm();
        Watchdog.look(System.nanoTime());
        d.disarm();
        d.arm(HOUR);
        assertTrue(Watchdog.listed(d), "armed after being taken off and disarmed twice");
        Watchdog.look(System.nanoTime() + 2 * HOUR);
        assertEquals(1, tcp.closed.get());
    }

    @Test
    void aDeadlineReArmedLaterIsNotExpiredByTheEarlierDue() {
        Counting tcp = new Counting();
        Watchdog.Deadline d = new Watchdog.Deadline(tcp);
        d.arm(HOUR);
        d.disarm();
        d.arm(3 * HOUR);
        Watchdog.look(System.nanoTime() + 2 * HOUR);
        assertEquals(0, tcp.closed.get());
        assertTrue(Watchdog.listed(d));
        d.disarm();
    }

    @Test
    void armingAndTheWatchdogRacingNeverLoseAnArmedDeadline() throws Exception {
        int rounds = 5_000;
        Watchdog.Deadline[] deadlines = new Watchdog.Deadline[8];
        for (int i = 0; i < deadlines.length; i++) {
            deadlines[i] = new Watchdog.Deadline(new Counting());
        }
        // Each look runs under the lock, so that the checks below never see one half done.
        ReentrantLock looking = new ReentrantLock();
        CountDownLatch done = new CountDownLatch(1);
        Thread looker = new Thread(() -> {
            while (done.getCount() > 0) {
                looking.lock();
                try {
                    Watchdog.look(System.nanoTime());
                } finally {
                    looking.unlock();
                }
            }
        });
        looker.start();
        try {
            for (int r = 0; r < rounds; r++) {
                for (Watchdog.Deadline d : deadlines) {
                    d.arm(HOUR);
                }
                looking.lock();
                try {
                    for (Watchdog.Deadline d : deadlines) {
                        assertTrue(listedSoon(d), "an armed deadline is listed, round " + r);
                    }
                } finally {
                    looking.unlock();
                }
                for (Watchdog.Deadline d : deadlines) {
                    d.disarm();
                }
            }
        } finally {
            done.countDown();
            looker.join();
        }
    }

    /**
     * Returns whether {@code d} is listed within a second: the watchdog's own thread may be
     * taking it off and putting it back just now.
     */
    private static boolean listedSoon(Watchdog.Deadline d) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!Watchdog.listed(d)) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Test
    void theWatchdogThreadItselfClosesAPassedDeadline() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Watchdog.Deadline d = new Watchdog.Deadline(closed::countDown);
        d.arm(TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(closed.await(5, TimeUnit.SECONDS));
    }
}
