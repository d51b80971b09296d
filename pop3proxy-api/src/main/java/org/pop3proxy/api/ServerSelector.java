package org.pop3proxy.api;

import java.util.Objects;

/**
 * Chooses the POP3 server for a login, as the manual's {@code -e}, {@code -c} and {@code -s}
 * options do. Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface ServerSelector {

    /**
     * Decides where {@code login} (the USER argument as the client sent it) goes.
     * Must not throw for any input: unusable logins are {@link Selection#reject rejected}.
     */
    Selection select(ClientInfo client, String login);

    /** Returns a selector that sends every login, unchanged, to {@code server}. */
    static ServerSelector fixed(ServerTarget server) {
        Objects.requireNonNull(server, "server");
        return (client, login) -> Selection.route(server, login);
    }
}
