package org.pop3proxy.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One successful server login, as the manual's {@code -l} files record it.
 *
 * @param time        when it happened
 * @param client      where the client came from
 * @param serverLogin the user name the server accepted
 * @param server      the server, as typed
 */
public record LoginRecord(Instant time, ClientInfo client, String serverLogin, ServerTarget server) {
    public LoginRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(serverLogin, "serverLogin");
        Objects.requireNonNull(server, "server");
    }
}
