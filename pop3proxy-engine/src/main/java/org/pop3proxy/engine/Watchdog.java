package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends waits that have no timeout of their own (a blocking socket write, a TLS handshake or
 * close that the peer trickles) by closing the TCP socket under them, which makes the blocked
 * call fail at once. One daemon thread looks at the armed deadlines a few times a second; arming
 * and disarming cost a volatile store and a set update, no timer task.
 *
 * <p>Only plain TCP sockets (or streams) may be the target: closing a TLS socket itself would
 * wait for the very lock the blocked thread holds, and stop the watchdog for everyone.
 */
final class Watchdog {
    /** How often the watchdog looks; a deadline is kept to within this much. */
    static final long TICK_MILLIS = 100;

    private static final Set<Deadline> ARMED = ConcurrentHashMap.newKeySet();

    static {
        Thread watchdog = new Thread(Watchdog::watch, "pop3proxy-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private Watchdog() {}

    /** A deadline for one connection; re-armed for each wait. Used by one thread at a time. */
    static final class Deadline {
        private final Closeable tcp;
        private volatile long due;

        Deadline(Closeable tcp) {
            this.tcp = tcp;
        }

        /** Closes the connection unless {@link #disarm} comes within {@code nanos}. */
        void arm(long nanos) {
            due = System.nanoTime() + nanos;
            ARMED.add(this);
        }

        void disarm() {
            ARMED.remove(this);
        }

        private void expire() {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // The point was to end the connection; it is ended either way.
            }
        }
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Deadline d : ARMED) {
                if (now - d.due > 0) {
                    ARMED.remove(d);
                    d.expire();
                }
            }
        }
    }
}
