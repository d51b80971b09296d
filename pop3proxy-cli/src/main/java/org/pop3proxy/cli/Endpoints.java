package org.pop3proxy.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.pop3proxy.api.ServerTarget;

/**
 * Parses the command line's {@code host[:port]} and {@code [interface:]port} texts. IPv6 literals
 * are written in brackets when a port follows ({@code [::1]:1110}); a port is a number or a
 * service name from {@code /etc/services}.
 */
final class Endpoints {
    private static final Path SERVICES = Path.of("/etc/services");

    private Endpoints() {}

    /**
     * Returns the address a bare {@code -D} listens on; made when asked for, since it brings up
     * {@link java.net.InetAddress}, which an inetd start needs only after its greeting.
     */
    static InetSocketAddress defaultListen() {
        return new InetSocketAddress(wildcard(), ServerTarget.POP3_PORT);
    }

    /** Parses the positional server, {@code host[:port]}; the port defaults to 110. */
    static ServerTarget server(String text) throws UsageException {
        return hostPort(text, ServerTarget.POP3_PORT, "server");
    }

    /**
     * Parses {@code host[:port]} ({@code [address]:port} for IPv6) for {@code what}, such as
     * {@code "option --clamd"}; the port defaults to {@code defaultPort}.
     */
    static ServerTarget hostPort(String text, int defaultPort, String what) throws UsageException {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new UsageException(what + " " + text + ": missing ]");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new UsageException(what + " " + text + ": expected :port after ]");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
            if (!isIpv6Literal(host)) {
                throw new UsageException(what + " " + text + ": not an IPv6 address in brackets");
            }
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            if (!isIpv6Literal(text)) {
                throw new UsageException(what + " " + text + ": write an IPv6 address as [address]:port");
            }
            host = text;
            port = null;
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty() || !isHostText(host)) {
            throw new UsageException(what + " " + text + ": bad host name");
        }
        int number = port == null ? defaultPort : port(port, what + " " + text, false);
        return new ServerTarget(host, number, text);
    }

    /** Parses {@code -DD}'s {@code [interface:]port}; without an interface it listens on all. */
    static InetSocketAddress listen(String text) throws UsageException {
        String iface;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0 || !isIpv6Literal(text.substring(1, close))) {
                throw new UsageException("listen address " + text + ": expected [IPv6-address]:port");
            }
            iface = text.substring(1, close);
            port = text.substring(close + 2);
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            throw new UsageException("listen address " + text + ": write an IPv6 address as [address]:port");
        } else {
            int colon = text.indexOf(':');
            iface = colon < 0 ? null : text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int number = port(port, "listen address " + text, true);
        if (iface == null) {
            return new InetSocketAddress(wildcard(), number);
        }
        if (iface.isEmpty() || !isHostText(iface)) {
            throw new UsageException("listen address " + text + ": bad interface");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(iface), number);
        } catch (UnknownHostException e) {
            throw new UsageException("listen address " + text + ": unknown interface " + iface);
        }
    }

    /** Parses an IP number (the manual's {@code -q srcip}) without asking DNS. */
    static InetAddress ipNumber(String text, String what) throws UsageException {
        try {
            if (isIpv4Literal(text)) {
                byte[] octets = new byte[4];
                String[] parts = text.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        throw new UnknownHostException(text);
                    }
                    octets[i] = (byte) octet;
                }
                return InetAddress.getByAddress(octets);
            }
            if (!isIpv6Literal(text)) {
                throw new UnknownHostException(text);
            }
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new UsageException(what + " " + text + ": not an IP number");
        }
    }

    private static int port(String text, String what, boolean zeroAllowed) throws UsageException {
        if (text.isEmpty()) {
            throw new UsageException(what + ": empty port");
        }
        if (Chars.digits(text, Integer.MAX_VALUE)) {
            int n = text.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(text);
            if (n > 65535 || (n == 0 && !zeroAllowed)) {
                throw new UsageException(what + ": port out of range");
            }
            return n;
        }
        OptionalInt service = service(text);
        if (service.isEmpty()) {
            throw new UsageException(what + ": unknown service " + text);
        }
        return service.getAsInt();
    }

    /** Looks a TCP service name or alias up in {@code /etc/services}. */
    static OptionalInt service(String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(SERVICES, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
            if (fields.length < 2 || !fields[1].toLowerCase(Locale.ROOT).endsWith("/tcp")) {
                continue;
            }
            for (int i = 0; i < fields.length; i++) {
                if (i != 1 && fields[i].equals(name)) {
                    String number = fields[1].substring(0, fields[1].indexOf('/'));
                    try {
                        int port = Integer.parseInt(number);
                        if (port > 0 && port <= 65535) {
                            return OptionalInt.of(port);
                        }
                    } catch (NumberFormatException ignored) {
                        // A broken line in /etc/services names no port; keep looking.
                    }
                }
            }
        }
        return OptionalInt.empty();
    }

    private static boolean isHostText(String host) {
        return Chars.hostText(host);
    }

    private static boolean isIpv4Literal(String text) {
        return Chars.dottedQuad(text);
    }

    private static boolean isIpv6Literal(String text) {
        if (text.indexOf(':') < 0 || !Chars.ipv6Text(text)) {
            return false;
        }
        try {
            // A text with a colon is parsed as an IPv6 literal, never looked up.
            InetAddress.getByName(text);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static InetAddress wildcard() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
