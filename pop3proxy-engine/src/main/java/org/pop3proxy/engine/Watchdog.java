package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends waits that have no timeout of their own (a blocking socket write, a TLS handshake or
 * close that the peer trickles) by closing the TCP socket under them, which makes the blocked
 * call fail at once. One daemon thread looks at the listed deadlines a few times a second.
 *
 * <p>Arming and disarming cost one atomic update of the deadline, no timer task and, for a
 * deadline re-armed within a tick (a busy session's reads and writes), no update of the shared
 * list either: a disarmed deadline stays listed until the watchdog's next look takes it off, and
 * is listed again only when armed after that.
 *
 * <p>Only plain TCP sockets (or streams) may be the target: closing a TLS socket itself would
 * wait for the very lock the blocked thread holds, and stop the watchdog for everyone.
 */
final class Watchdog {
    /** How often the watchdog looks; a deadline is kept to within this much. */
    static final long TICK_MILLIS = 100;

    /** Every armed deadline, and disarmed ones the watchdog has not yet taken off. */
    private static final Set<Deadline> LISTED = ConcurrentHashMap.newKeySet();
    /** {@link Deadline#due} of a deadline that is not armed and not listed. */
    private static final long UNLISTED = Long.MIN_VALUE;
    /** {@link Deadline#due} of a deadline that is not armed and still listed. */
    private static final long DISARMED = Long.MIN_VALUE + 1;
    private static final VarHandle DUE;

    static {
        try {
            DUE = MethodHandles.lookup().findVarHandle(Deadline.class, "due", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        Thread watchdog = new Thread(Watchdog::watch, "pop3proxy-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private Watchdog() {}

    /** A deadline for one connection; re-armed for each wait. Used by one thread at a time. */
    static final class Deadline {
        private final Closeable tcp;
        /** When the deadline passes ({@link System#nanoTime}), or {@link #UNLISTED} / {@link #DISARMED}. */
        private volatile long due = UNLISTED;

        Deadline(Closeable tcp) {
            this.tcp = tcp;
        }

        /** Closes the connection unless {@link #disarm} comes within {@code nanos}. */
        void arm(long nanos) {
            long at = System.nanoTime() + nanos;
            if (at == UNLISTED || at == DISARMED) {
                at = DISARMED + 1;
            }
            if ((long) DUE.getAndSet(this, at) == UNLISTED) {
                LISTED.add(this);
            }
        }

        /** Stops the deadline; it has no effect on one that is not armed. */
        void disarm() {
            long at = (long) DUE.getVolatile(this);
            if (at != UNLISTED && at != DISARMED) {
                // Fails only when the watchdog has just expired it: then it is disarmed already.
                DUE.compareAndSet(this, at, DISARMED);
            }
        }

        /**
         * Takes a disarmed deadline off the list; one armed again meanwhile is listed again
         * (by its own {@link #arm}, or here when the arm saw it still listed).
         */
        private void unlist() {
            if (DUE.compareAndSet(this, DISARMED, UNLISTED)) {
                LISTED.remove(this);
                if ((long) DUE.getVolatile(this) != UNLISTED) {
                    LISTED.add(this);
                }
            }
        }

        /** Closes the connection if the deadline is still the one that passed. */
        private void expire(long at) {
            if (!DUE.compareAndSet(this, at, DISARMED)) {
                return;
            }
            try {
                tcp.close();
            } catch (IOException ignored) {
                // The point was to end the connection; it is ended either way.
            }
        }
    }

    /** Returns whether {@code d} is on the watchdog's list now (for tests). */
    static boolean listed(Deadline d) {
        return LISTED.contains(d);
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            look(System.nanoTime());
        }
    }

    /** Expires the deadlines that passed by {@code now} and takes disarmed ones off the list. */
    static void look(long now) {
        for (Deadline d : LISTED) {
            long at = (long) DUE.getVolatile(d);
            if (at == DISARMED) {
                d.unlist();
            } else if (at != UNLISTED && now - at > 0) {
                d.expire(at);
            }
        }
    }
}
