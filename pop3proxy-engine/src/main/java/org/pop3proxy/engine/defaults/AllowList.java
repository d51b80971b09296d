package org.pop3proxy.engine.defaults;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code -s} list: servers a client may select, as glob patterns ({@code *}, {@code ?},
 * case-insensitive, anchored) matched against the server exactly as typed, port included.
 * Rules on top of the plain match keep a wildcard from reaching further than its author could
 * see:
 * <ul>
 *   <li>A wildcard never crosses the {@code :} between host and port: an entry and a server are
 *       each split into host and optional port the same way ({@code [v6]:port}, else the first
 *       colon), and the two parts are matched separately. An entry without a port admits only a
 *       server typed without one; {@code host:*} admits any typed port.</li>
 *   <li>Each entry has a scope from its host part: only wildcards → any host; only digits, dots
 *       and wildcards → IPv4 numbers only; starting with {@code [} → IPv6 literals only;
 *       anything else → host names only. So {@code 10.*} admits {@code 10.1.2.3} but never the
 *       DNS name {@code 10.evil.example}.</li>
 *   <li>An IPv6 literal carrying an IPv4 address ({@code [::ffff:127.0.0.1]},
 *       {@code [::ffff:7f00:1]}, {@code [::127.0.0.1]}) matches only an entry without wildcards
 *       that equals it.</li>
 * </ul>
 * Immutable.
 */
final class AllowList {
    private final List<Entry> entries;

    private AllowList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Where an entry may match. */
    enum Scope { ANY, NAME, IPV4, IPV6 }

    /**
     * One entry.
     *
     * @param pattern     the entry as written
     * @param hostPattern the host part, brackets included
     * @param portPattern the port part without the colon, if any
     * @param scope       the kind of hosts the entry may match
     */
    record Entry(String pattern, String hostPattern, Optional<String> portPattern, Scope scope) {
        Entry {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(hostPattern, "hostPattern");
            Objects.requireNonNull(portPattern, "portPattern");
            Objects.requireNonNull(scope, "scope");
        }

        boolean admits(ServerText.Parsed server) {
            if (server.embedsIpv4() && Glob.hasWildcard(pattern)) {
                return false;
            }
            boolean inScope = switch (scope) {
                case ANY -> true;
                case NAME -> server.kind() == ServerText.Kind.NAME;
                case IPV4 -> server.kind() == ServerText.Kind.IPV4;
                case IPV6 -> server.kind() == ServerText.Kind.IPV6;
            };
            if (!inScope || !Glob.matches(hostPattern, server.hostText())) {
                return false;
            }
            Optional<String> port = server.portText();
            if (portPattern.isPresent() != port.isPresent()) {
                return false;
            }
            return port.isEmpty() || Glob.matches(portPattern.get(), port.get());
        }
    }

    /**
     * Returns the list of the comma-separated {@code patterns}, blanks around entries ignored.
     *
     * @throws IllegalArgumentException naming the bad entry if one is empty, longer than 255
     *                                  characters, holds a blank, control or non-ASCII character,
     *                                  or has an empty or malformed host or port part
     */
    static AllowList parse(String patterns) {
        Objects.requireNonNull(patterns, "patterns");
        return of(List.of(patterns.split(",", -1)));
    }

    /** Returns the list of {@code patterns}; see {@link #parse}. */
    static AllowList of(List<String> patterns) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : patterns) {
            entries.add(entry(Objects.requireNonNull(raw, "pattern").strip()));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("server list: no entries");
        }
        return new AllowList(entries);
    }

    private static Entry entry(String p) {
        if (p.isEmpty()) {
            throw new IllegalArgumentException("server list: empty entry");
        }
        if (p.length() > ServerText.MAX_LENGTH) {
            throw new IllegalArgumentException("server list: entry longer than "
                    + ServerText.MAX_LENGTH + " characters");
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("server list: blank, control or non-ASCII"
                        + " character in entry \"" + p.replaceAll("[^\\x21-\\x7e]", "?") + "\"");
            }
        }
        int hostEnd;
        if (p.charAt(0) == '[') {
            int close = p.indexOf(']');
            if (close < 0 || (close + 1 < p.length() && p.charAt(close + 1) != ':')) {
                throw new IllegalArgumentException("server list: entry \"" + p
                        + "\" is not [ipv6] or [ipv6]:port");
            }
            hostEnd = close + 1;
        } else {
            int colon = p.indexOf(':');
            hostEnd = colon < 0 ? p.length() : colon;
        }
        String host = p.substring(0, hostEnd);
        Optional<String> port = hostEnd == p.length() ? Optional.empty() : Optional.of(p.substring(hostEnd + 1));
        if (host.isEmpty() || host.equals("[]")) {
            throw new IllegalArgumentException("server list: entry \"" + p + "\" has no host");
        }
        if (port.isPresent() && (port.get().isEmpty() || port.get().indexOf(':') >= 0)) {
            throw new IllegalArgumentException("server list: entry \"" + p
                    + "\" has an empty port or more than one colon (IPv6 needs brackets)");
        }
        return new Entry(p, host, port, scopeOf(host));
    }

    static Scope scopeOf(String hostPattern) {
        if (hostPattern.charAt(0) == '[') {
            return Scope.IPV6;
        }
        boolean onlyWildcards = true;
        boolean numeric = true;
        for (int i = 0; i < hostPattern.length(); i++) {
            char c = hostPattern.charAt(i);
            boolean wildcard = c == '*' || c == '?';
            onlyWildcards &= wildcard;
            numeric &= wildcard || c == '.' || ServerText.isDigit(c);
        }
        if (onlyWildcards) {
            return Scope.ANY;
        }
        return numeric ? Scope.IPV4 : Scope.NAME;
    }

    /** Returns the first entry admitting {@code server}. */
    Optional<Entry> match(ServerText.Parsed server) {
        for (Entry e : entries) {
            if (e.admits(server)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    List<Entry> entries() {
        return entries;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            b.append(b.length() == 0 ? "" : ",").append(e.pattern());
        }
        return b.toString();
    }
}
