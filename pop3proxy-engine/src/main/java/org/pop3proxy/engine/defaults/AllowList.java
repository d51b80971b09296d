package org.pop3proxy.engine.defaults;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code -s} list: servers a client may select, as glob patterns matched against the server
 * text exactly as typed, port included. Two rules on top of the plain glob match keep a wildcard
 * from reaching further than its author could see:
 * <ul>
 *   <li>Each entry has a scope from its host part (before the first {@code :}, or the bracketed
 *       part): only wildcards → any host; only digits, dots and wildcards → IPv4 numbers only;
 *       starting with {@code [} → IPv6 literals only; anything else → host names only. So
 *       {@code 10.*} admits {@code 10.1.2.3} but never the DNS name {@code 10.evil.example}.</li>
 *   <li>An IPv6 literal carrying an IPv4 address ({@code [::ffff:127.0.0.1]}, {@code [::ffff:7f00:1]},
 *       {@code [::127.0.0.1]}) matches only an entry without wildcards that equals it.</li>
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

    /** One pattern and its scope. */
    record Entry(String pattern, Scope scope) {
        Entry {
            Objects.requireNonNull(pattern, "pattern");
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
            return inScope && Glob.matches(pattern, server.text());
        }
    }

    /**
     * Returns the list of the comma-separated {@code patterns}, blanks around entries ignored.
     *
     * @throws IllegalArgumentException naming the bad entry if one is empty, longer than 255
     *                                  characters or holds a blank, control or non-ASCII character
     */
    static AllowList parse(String patterns) {
        Objects.requireNonNull(patterns, "patterns");
        return of(List.of(patterns.split(",", -1)));
    }

    /** Returns the list of {@code patterns}; see {@link #parse}. */
    static AllowList of(List<String> patterns) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : patterns) {
            String p = raw.strip();
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
            entries.add(new Entry(p, scopeOf(p)));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("server list: no entries");
        }
        return new AllowList(entries);
    }

    static Scope scopeOf(String pattern) {
        if (pattern.charAt(0) == '[') {
            return Scope.IPV6;
        }
        int colon = pattern.indexOf(':');
        String host = colon < 0 ? pattern : pattern.substring(0, colon);
        boolean onlyWildcards = true;
        boolean numeric = true;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
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
