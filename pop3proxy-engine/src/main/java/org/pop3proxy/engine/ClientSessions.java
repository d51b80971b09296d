package org.pop3proxy.engine;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the open sessions of each client address against a cap
 * ({@link ProxyConfig#maxSessionsPerClient()}). A listener counts the peer when it accepts, or,
 * behind the PROXY protocol, the real client once the header has named it. Safe for concurrent
 * use.
 */
final class ClientSessions {
    /** Admits everyone and counts nothing: sessions served outside a {@link ProxyServer}. */
    static final ClientSessions UNCOUNTED = new ClientSessions(0);

    private final int limit;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** Caps each address at {@code limit} sessions; 0 counts nothing. */
    ClientSessions(int limit) {
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    /** Counts a session for {@code client}; returns false, counting nothing, when it has too many. */
    boolean enter(InetAddress client) {
        if (limit == 0) {
            return true;
        }
        boolean[] admitted = new boolean[1];
        open.compute(client, (k, n) -> {
            int count = n == null ? 0 : n;
            admitted[0] = count < limit;
            return admitted[0] ? count + 1 : n;
        });
        return admitted[0];
    }

    /** Releases a session that {@link #enter} counted for {@code client}. */
    void leave(InetAddress client) {
        if (limit == 0) {
            return;
        }
        open.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }
}
