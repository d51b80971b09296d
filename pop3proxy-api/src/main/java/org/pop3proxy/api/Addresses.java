package org.pop3proxy.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Formats addresses as IP numbers, never asking DNS. */
final class Addresses {
    private Addresses() {}

    static String text(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return ip != null ? ip.getHostAddress() : address.getHostString();
    }
}
