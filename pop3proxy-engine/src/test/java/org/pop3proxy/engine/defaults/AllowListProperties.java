package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerTarget;

/**
 * Whatever the selector accepts under an allow-list matches one entry as a plain glob over the
 * whole text (checked with a regular expression as an independent oracle), and the target's
 * host and port are exactly what the text shows.
 */
class AllowListProperties {
    static final List<String> HOSTILE_LIST = List.of("pop.example.com", "*.corp.example", "10.0.0.*",
            "127.0.0.1:1110", "[::1]", "[2001:db8::*]:*", "mail?.example.org:pop3*");

    @Property(tries = 3000)
    void arbitraryServersAcceptedOnlyWhenTheyMatch(@ForAll("serverTexts") String server) {
        check(HOSTILE_LIST, server);
    }

    @Property(tries = 3000)
    void serversBuiltFromPatternsAcceptedOnlyWhenTheyMatch(@ForAll("patternAndFilling") Tuple.Tuple2<String, String> t) {
        List<String> list;
        try {
            list = List.copyOf(AllowList.parse(t.get1()).entries().stream().map(AllowList.Entry::pattern).toList());
        } catch (IllegalArgumentException e) {
            return;
        }
        check(list, t.get2());
    }

    private static void check(List<String> list, String server) {
        ManualServerSelector s = ManualServerSelector.builder().services(ServiceNames.builtIn())
                .clientSelection(true).serverList(list).build();
        Selection got = s.select(ManualServerSelectorTest.CLIENT, "user@" + server);
        Statistics.collect(got instanceof Selection.Route ? "accepted" : "rejected");
        if (!(got instanceof Selection.Route route)) {
            return;
        }
        ServerTarget target = route.server();
        assertEquals("user", route.login());
        assertEquals(server, target.text());
        assertTrue(list.stream().anyMatch(p -> oracle(p).matcher(server).matches()),
                () -> server + " accepted but matches none of " + list);
        String host = target.host();
        if (server.startsWith("[")) {
            assertTrue(server.startsWith("[" + host + "]"), server);
            assertTrue(server.equals("[" + host + "]") || server.startsWith("[" + host + "]:"), server);
        } else {
            assertTrue(server.equals(host) || server.startsWith(host + ":"), server);
            String last = host.replaceAll("\\.$", "");
            last = last.substring(last.lastIndexOf('.') + 1);
            if (Character.isDigit(last.charAt(0))) {
                assertTrue(host.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"),
                        () -> "numeric host not a dotted quad: " + host);
            }
        }
        if (server.equals(host) || server.equals("[" + host + "]")) {
            assertEquals(110, target.port());
        }
    }

    /** Translates a glob to an anchored, case-insensitive regular expression. */
    static Pattern oracle(String glob) {
        StringBuilder b = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') {
                b.append(".*");
            } else if (c == '?') {
                b.append('.');
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    @Provide
    Arbitrary<String> serverTexts() {
        Arbitrary<String> noise = Arbitraries.strings().withChars("abcmo.:[]f01279x%@ \t\u0000*?-")
                .ofMinLength(0).ofMaxLength(24);
        Arbitrary<String> nearMisses = Arbitraries.of(
                "pop.example.com", "POP.EXAMPLE.COM.", "pop.example.com:110", "x.corp.example",
                "x.corp.example:25", "10.0.0.1", "10.0.0.1:25", "10.0.0.01", "10.0.0", "10.0.0.1.evil",
                "127.0.0.1:1110", "127.1:1110", "2130706433:1110", "0x7f.1:1110", "[::1]", "[::0:1]",
                "[2001:db8::1]:995", "[2001:db8::ffff:127.0.0.1]:995", "[::ffff:127.0.0.1]",
                "mail1.example.org:pop3s", "mail1.example.org:pop3", "mail12.example.org:pop3");
        Arbitrary<String> suffix = Arbitraries.strings().withChars(".:0a1]").ofMaxLength(3);
        return Arbitraries.oneOf(noise, Combinators.combine(nearMisses, suffix).as(String::concat));
    }

    @Provide
    Arbitrary<Tuple.Tuple2<String, String>> patternAndFilling() {
        Arbitrary<String> pattern = Arbitraries.strings().withChars("ab1.0*?:[]f,").ofMinLength(1).ofMaxLength(16);
        Arbitrary<String> filling = Arbitraries.strings().withChars("ab019.:[]f-").ofMaxLength(6);
        return Combinators.combine(pattern, filling.list().ofSize(8)).as((p, fills) -> {
            StringBuilder text = new StringBuilder();
            int k = 0;
            String first = p.split(",", -1)[0];
            for (char c : first.toCharArray()) {
                if (c == '*') {
                    text.append(fills.get(k++ % fills.size()));
                } else if (c == '?') {
                    String f = fills.get(k++ % fills.size());
                    text.append(f.isEmpty() ? "a" : f.substring(0, 1));
                } else {
                    text.append(c);
                }
            }
            return Tuple.of(p, text.toString());
        });
    }
}
