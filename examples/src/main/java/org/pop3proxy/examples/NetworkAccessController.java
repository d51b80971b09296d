package org.pop3proxy.examples;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.pop3proxy.api.AccessController;
import org.pop3proxy.api.AccessDecision;
import org.pop3proxy.api.AccessRequest;

/**
 * An {@link AccessController} that lets a login through only when the client connects from one
 * of the given networks, written in CIDR notation ({@code 192.168.0.0/16}, {@code 2001:db8::/32},
 * or a single address without a prefix length). An IPv4-mapped IPv6 client address
 * ({@code ::ffff:192.0.2.1}) counts as the IPv4 address it carries. Only IP literals are
 * accepted, so no DNS lookup ever happens. Immutable and safe for concurrent use.
 */
public final class NetworkAccessController implements AccessController {
    private final List<Network> networks;

    private NetworkAccessController(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /** Returns a controller allowing clients from {@code cidrs}. */
    public static NetworkAccessController allowing(String... cidrs) {
        return allowing(Arrays.asList(cidrs));
    }

    /**
     * Returns a controller allowing clients from {@code cidrs}.
     *
     * @throws IllegalArgumentException naming an entry that is not an IP network
     */
    public static NetworkAccessController allowing(List<String> cidrs) {
        Objects.requireNonNull(cidrs, "cidrs");
        List<Network> networks = new ArrayList<>();
        for (String cidr : cidrs) {
            networks.add(Network.parse(Objects.requireNonNull(cidr, "cidr").strip()));
        }
        return new NetworkAccessController(networks);
    }

    @Override
    public AccessDecision check(AccessRequest request) {
        InetAddress client = request.client().remote().getAddress();
        if (client != null) {
            byte[] address = canonical(client.getAddress());
            for (Network n : networks) {
                if (n.contains(address)) {
                    return AccessDecision.allow();
                }
            }
        }
        return AccessDecision.deny("client " + request.client().clientAddress() + " is not in an allowed network");
    }

    @Override
    public String toString() {
        return "NetworkAccessController" + networks;
    }

    /** Turns an IPv4-mapped IPv6 address into its four IPv4 bytes; returns others unchanged. */
    static byte[] canonical(byte[] address) {
        if (address.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return address;
                }
            }
            if (address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
                return Arrays.copyOfRange(address, 12, 16);
            }
        }
        return address;
    }

    /** One network: an address and how many leading bits of it count. */
    static final class Network {
        private final byte[] prefix;
        private final int bits;
        private final String text;

        private Network(byte[] prefix, int bits, String text) {
            this.prefix = prefix;
            this.bits = bits;
            this.text = text;
        }

        static Network parse(String cidr) {
            int slash = cidr.indexOf('/');
            String literal = slash < 0 ? cidr : cidr.substring(0, slash);
            byte[] address = literal.indexOf(':') >= 0 ? ipv6(literal, cidr) : ipv4(literal, cidr);
            int max = address.length * 8;
            int bits = max;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad prefix length in " + cidr, e);
                }
                if (literal.contains(":") && address.length == 4) {
                    bits -= 96;
                }
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException("prefix length out of range in " + cidr);
                }
            }
            return new Network(address, bits, cidr);
        }

        /** Parses exactly four decimal parts, so that nothing else can be taken for a host name. */
        private static byte[] ipv4(String literal, String cidr) {
            String[] parts = literal.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("not an IP network: " + cidr);
            }
            byte[] address = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("not an IP network: " + cidr);
                }
                int value = Integer.parseInt(parts[i]);
                if (value > 255) {
                    throw new IllegalArgumentException("not an IP network: " + cidr);
                }
                address[i] = (byte) value;
            }
            return address;
        }

        /** Parses an IPv6 literal; a text holding a colon is never looked up in DNS. */
        private static byte[] ipv6(String literal, String cidr) {
            if (!literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                throw new IllegalArgumentException("not an IP network: " + cidr);
            }
            try {
                return canonical(InetAddress.getByName(literal).getAddress());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP network: " + cidr, e);
            }
        }

        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & mask) == (prefix[whole] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
