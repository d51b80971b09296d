package org.pop3proxy.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Accepting the HAProxy PROXY protocol (v1 text and v2 binary) on a listener, so that a load
 * balancer in front can pass on the real client's address. Only peers in the allowed list may
 * send the header; a connection from any other peer is closed without a greeting, because
 * trusting the header from anyone would let any client claim any address. Immutable.
 */
public final class ProxyProtocol {
    private final List<String> sources;
    private final List<byte[]> networks;
    private final int[] prefixes;

    private ProxyProtocol(List<String> sources, List<byte[]> networks, int[] prefixes) {
        this.sources = sources;
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /**
     * Accepts the header from the peers in {@code list}: IP numbers and CIDR networks, IPv4 or
     * IPv6, separated by commas or blanks (e.g. {@code 10.0.0.5, 192.168.1.0/24, ::1}). Host
     * names are refused, so that nothing depends on DNS; an empty list is refused too.
     */
    public static ProxyProtocol allowFrom(String list) {
        Objects.requireNonNull(list, "list");
        List<String> entries = new ArrayList<>();
        for (String entry : list.trim().split("[,\\s]+")) {
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return allowFrom(entries);
    }

    /** Accepts the header from the peers in {@code entries}, each an IP number or a CIDR network. */
    public static ProxyProtocol allowFrom(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the PROXY protocol needs at least one allowed source address");
        }
        List<byte[]> networks = new ArrayList<>();
        int[] prefixes = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            String entry = Objects.requireNonNull(entries.get(i), "entry").trim();
            int slash = entry.indexOf('/');
            String ip = slash < 0 ? entry : entry.substring(0, slash);
            InetAddress address = ipLiteral(ip);
            if (address == null) {
                throw new IllegalArgumentException("not an IP number or CIDR network: " + entry);
            }
            byte[] bytes = address.getAddress();
            int bits = bytes.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String p = entry.substring(slash + 1);
                if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                    throw new IllegalArgumentException("bad prefix length in " + entry);
                }
                prefix = Integer.parseInt(p);
            }
            networks.add(bytes);
            prefixes[i] = prefix;
        }
        return new ProxyProtocol(List.copyOf(entries), networks, prefixes);
    }

    /** Returns the allowed sources as given. */
    public List<String> sources() {
        return sources;
    }

    /** Returns whether {@code peer} may send a PROXY header. */
    public boolean allows(InetAddress peer) {
        byte[] a = peer.getAddress();
        for (int i = 0; i < networks.size(); i++) {
            if (inNetwork(a, networks.get(i), prefixes[i])) {
                return true;
            }
        }
        return false;
    }

    private static boolean inNetwork(byte[] a, byte[] net, int prefix) {
        if (a.length != net.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != net[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (net[full] & mask);
    }

    /**
     * Returns the address an IP literal names, or null when {@code text} is not one; never
     * looks a name up. IPv4 must be four dotted decimals; IPv6 is anything the JDK parses as an
     * IPv6 literal (a string with a colon is never resolved).
     */
    static InetAddress ipLiteral(String text) {
        try {
            if (text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
                String[] parts = text.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return null;
                    }
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
            if (text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+")) {
                return InetAddress.getByName(text);
            }
            return null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "PROXY protocol from " + String.join(",", sources);
    }
}
