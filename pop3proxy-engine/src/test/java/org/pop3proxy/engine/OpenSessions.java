package org.pop3proxy.engine;

import java.util.concurrent.TimeUnit;

/** Waits, bounded, for a proxy's open sessions to reach a count: sessions end on their own threads. */
public final class OpenSessions {
    private OpenSessions() {}

    /** Polls until {@code proxy} has {@code n} open sessions; returns whether it got there within {@code millis}. */
    public static boolean await(ProxyServer proxy, int n, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (proxy.openSessions() != n) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
