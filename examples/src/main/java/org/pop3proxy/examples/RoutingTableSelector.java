package org.pop3proxy.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

/**
 * A {@link ServerSelector} that routes logins by a routing table, as a gateway in front of
 * several mail servers would: each line of the table is
 *
 * <pre>
 * # login-pattern   host[:port]
 * *@sales.example   pop.sales.example
 * *@lab.example     10.1.2.3:1110
 * admin             [2001:db8::25]:110
 * </pre>
 *
 * <p>Patterns match the whole login, case-insensitively, with {@code *} for any run of
 * characters and {@code ?} for one; the first matching line wins and the login goes to its
 * server unchanged. A login no line matches is rejected. Blank lines and lines starting with
 * {@code #} are ignored. Immutable and safe for concurrent use.
 */
public final class RoutingTableSelector implements ServerSelector {
    private final List<Route> routes;

    private RoutingTableSelector(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** Reads the routing table in {@code file} (UTF-8). */
    public static RoutingTableSelector load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a routing table given as lines.
     *
     * @throws IllegalArgumentException naming the first line that is not {@code pattern host[:port]}
     */
    public static RoutingTableSelector parse(List<String> lines) {
        List<Route> routes = new ArrayList<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] fields = text.split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException("line " + number + ": expected 'login-pattern host[:port]'");
            }
            try {
                routes.add(new Route(fields[0].toLowerCase(Locale.ROOT), target(fields[1])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + ": " + e.getMessage(), e);
            }
        }
        return new RoutingTableSelector(routes);
    }

    @Override
    public Selection select(ClientInfo client, String login) {
        String key = login.toLowerCase(Locale.ROOT);
        for (Route route : routes) {
            if (Glob.matches(route.pattern, key)) {
                return Selection.route(route.server, login);
            }
        }
        return Selection.reject("no route for this login in the routing table");
    }

    /** Parses {@code host}, {@code host:port} or {@code [ipv6]:port}; the port defaults to 110. */
    static ServerTarget target(String text) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in " + text);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':port' after ']' in " + text);
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("write an IPv6 address as [address]:port: " + text);
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in " + text);
        }
        int number = ServerTarget.POP3_PORT;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a port number: " + port, e);
            }
        }
        return new ServerTarget(host, number, text);
    }

    @Override
    public String toString() {
        return "RoutingTableSelector" + routes;
    }

    /** One line of the table. */
    private static final class Route {
        final String pattern;
        final ServerTarget server;

        Route(String pattern, ServerTarget server) {
            this.pattern = pattern;
            this.server = server;
        }

        @Override
        public String toString() {
            return pattern + " -> " + server.text();
        }
    }

    /** Wildcard matching without regular expressions, in time proportional to pattern × text at worst. */
    static final class Glob {
        private Glob() {}

        static boolean matches(String pattern, String text) {
            int p = 0;
            int t = 0;
            int star = -1;
            int resume = 0;
            while (t < text.length()) {
                if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                    p++;
                    t++;
                } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                    star = p++;
                    resume = t;
                } else if (star >= 0) {
                    p = star + 1;
                    t = ++resume;
                } else {
                    return false;
                }
            }
            while (p < pattern.length() && pattern.charAt(p) == '*') {
                p++;
            }
            return p == pattern.length();
        }
    }
}
