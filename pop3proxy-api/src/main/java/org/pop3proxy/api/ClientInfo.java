package org.pop3proxy.api;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where one client session comes from and where it reached the proxy.
 *
 * @param local  the proxy's address and port the client is connected to (the manual's interface)
 * @param remote the client's address and port
 */
public record ClientInfo(InetSocketAddress local, InetSocketAddress remote) {
    public ClientInfo {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }

    /** Returns the client's IP number as text, without a host name or a port. */
    public String clientAddress() {
        return Addresses.text(remote);
    }

    /** Returns the proxy interface's IP number as text. */
    public String interfaceAddress() {
        return Addresses.text(local);
    }
}
