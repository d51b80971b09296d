package org.pop3proxy.api;

import java.util.Objects;

/**
 * Everything an {@link AccessController} learns about a login before the proxy connects.
 *
 * @param client        the client's and the proxy interface's addresses
 * @param server        the selected server
 * @param serverLogin   the user name that will be sent to the server
 * @param proxyUser     the proxy user name ({@code proxyuser:} prefix of the login), or empty
 * @param proxyPassword the proxy password ({@code proxypass:} prefix of the password), or empty
 */
public record AccessRequest(ClientInfo client, ServerTarget server, String serverLogin,
                            String proxyUser, String proxyPassword) {
    public AccessRequest {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(serverLogin, "serverLogin");
        Objects.requireNonNull(proxyUser, "proxyUser");
        Objects.requireNonNull(proxyPassword, "proxyPassword");
    }

    /** Returns a description that never contains the password. */
    @Override
    public String toString() {
        return "AccessRequest[client=" + client.clientAddress() + ", server=" + server.text()
                + ", serverLogin=" + serverLogin + ", proxyUser=" + proxyUser + "]";
    }
}
