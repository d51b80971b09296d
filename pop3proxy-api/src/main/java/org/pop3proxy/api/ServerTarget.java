package org.pop3proxy.api;

import java.util.Objects;

/**
 * A POP3 server to connect to.
 *
 * @param host the host name or IP literal (IPv6 without brackets) that is dialled
 * @param port the TCP port, 1 to 65535
 * @param text the server exactly as the client or the command line gave it, for logs, the ACP
 *             and the login file
 */
public record ServerTarget(String host, int port, String text) {
    /** The POP3 port. */
    public static final int POP3_PORT = 110;

    public ServerTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(text, "text");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Returns a target whose text is {@code host} or {@code host:port} as a user would type it. */
    public static ServerTarget of(String host, int port) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return new ServerTarget(host, port, port == POP3_PORT ? h : h + ":" + port);
    }
}
