package org.pop3proxy.api;

import java.util.Objects;

/** What a {@link ServerSelector} decided for one login: a route to a server, or a rejection. */
public sealed interface Selection {

    /** Routes the session to {@code server}, logging in there as {@code login}. */
    static Selection route(ServerTarget server, String login) {
        return new Route(server, login);
    }

    /** Rejects the login; {@code reason} goes to the log, never to the client. */
    static Selection reject(String reason) {
        return new Reject(reason);
    }

    /**
     * A route.
     *
     * @param server where to connect
     * @param login  the login without the server part; it may still carry a
     *               {@code proxyuser:} prefix, which the engine splits off
     */
    record Route(ServerTarget server, String login) implements Selection {
        public Route {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(login, "login");
        }
    }

    /** A rejection with a reason for the log. */
    record Reject(String reason) implements Selection {
        public Reject {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
