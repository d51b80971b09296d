package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerTarget;

class ManualServerSelectorTest {
    static final ClientInfo CLIENT = new ClientInfo(new InetSocketAddress("127.0.0.1", 110),
            new InetSocketAddress("192.0.2.7", 40000));
    static final ServerTarget DEFAULT = ServerTarget.of("pop.default.example", 110);

    static ManualServerSelector.Builder selector() {
        return ManualServerSelector.builder().services(ServiceNames.builtIn());
    }

    static ManualServerSelector clientSelects() {
        return selector().clientSelection(true).defaultServer(DEFAULT).build();
    }

    static ManualServerSelector allowList(String list) {
        return selector().clientSelection(true).serverList(list).build();
    }

    static Selection.Route route(ManualServerSelector s, String login) {
        return assertInstanceOf(Selection.Route.class, s.select(CLIENT, login), login);
    }

    static void rejected(ManualServerSelector s, String login) {
        Selection got = s.select(CLIENT, login);
        Selection.Reject reject = assertInstanceOf(Selection.Reject.class, got, () -> login + " -> " + got);
        assertTrue(!reject.reason().isEmpty());
    }

    static void routes(ManualServerSelector s, String login, String user, String host, int port, String text) {
        Selection.Route r = route(s, login);
        assertEquals(new ServerTarget(host, port, text), r.server(), login);
        assertEquals(user, r.login(), login);
    }

    @Test
    void aRefusedServerIsQuotedSafelyForTheLog() {
        // Blanks and control bytes are refused before this; what is left a backend could act on.
        Selection got = selector().clientSelection(true).build().select(CLIENT, "bob@${jndi:ldap://x}%n\\");
        String reason = assertInstanceOf(Selection.Reject.class, got).reason();
        assertTrue(reason.contains("\"\\x24\\x7bjndi:ldap://x\\x7d\\x25n\\x5c\""), reason);
    }

    @Test
    void withoutClientSelectionTheWholeLoginGoesToTheDefaultServer() {
        ManualServerSelector s = selector().defaultServer(DEFAULT).build();
        routes(s, "bob", "bob", "pop.default.example", 110, "pop.default.example");
        routes(s, "bob@evil.example", "bob@evil.example", "pop.default.example", 110, "pop.default.example");
        routes(s, "proxy:bob@x:1", "proxy:bob@x:1", "pop.default.example", 110, "pop.default.example");
        rejected(s, "");
        rejected(s, "bo b");
        rejected(s, "bob\u0001");
    }

    @Test
    void splitsAtTheLastDelimiterAndKeepsColonsInTheLogin() {
        ManualServerSelector s = clientSelects();
        routes(s, "bob@pop.example.net", "bob", "pop.example.net", 110, "pop.example.net");
        routes(s, "ann@corp.example@pop.example.net", "ann@corp.example", "pop.example.net", 110, "pop.example.net");
        routes(s, "proxy:bob@pop.example.net:995", "proxy:bob", "pop.example.net", 995, "pop.example.net:995");
        routes(s, "p:q:r@h", "p:q:r", "h", 110, "h");
    }

    @Test
    void withoutADelimiterTheDefaultServerIsUsedOrTheLoginRejected() {
        routes(clientSelects(), "bob", "bob", "pop.default.example", 110, "pop.default.example");
        routes(clientSelects(), "proxy:bob", "proxy:bob", "pop.default.example", 110, "pop.default.example");
        ManualServerSelector none = selector().clientSelection(true).defaultServer("-").build();
        rejected(none, "bob");
        routes(none, "bob@h", "bob", "h", 110, "h");
    }

    @Test
    void portsAreNumbersOrServiceNames() {
        ManualServerSelector s = clientSelects();
        routes(s, "bob@h:1", "bob", "h", 1, "h:1");
        routes(s, "bob@h:65535", "bob", "h", 65535, "h:65535");
        routes(s, "bob@h:pop3", "bob", "h", 110, "h:pop3");
        routes(s, "bob@h:pop3s", "bob", "h", 995, "h:pop3s");
    }

    @Test
    void serviceNamesComeFromAServicesFile() {
        java.util.Map<String, Integer> ports = new java.util.HashMap<>();
        ServiceNames.parse("# comment\nfoo\t\t4242/tcp  bar baz # x\nfoo 1/udp\nqux 77/udp\n", ports);
        assertEquals(java.util.Map.of("foo", 4242, "bar", 4242, "baz", 4242), ports);
        ServiceNames system = ServiceNames.load(ServiceNames.ETC_SERVICES);
        assertEquals(110, system.port("pop3").getAsInt());
        assertTrue(ServiceNames.load(java.nio.file.Path.of("/nonexistent/services")).port("pop3s").isPresent());
    }

    @Test
    void theServicesFileIsReadAtTheFirstNameLookedUpNotBefore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("services");
        ServiceNames names = ServiceNames.load(file);
        ManualServerSelector s = ManualServerSelector.builder().services(names).defaultServer("h:110").build();
        routes(s, "bob", "bob", "h", 110, "h:110");
        // Written after the selector was built and used with a numeric port: still seen.
        Files.writeString(file, "later 4343/tcp\n");
        assertEquals(4343, names.port("later").getAsInt());
        assertEquals(110, names.port("pop3").getAsInt());
    }

    @Test
    void ipv6LiteralsGoInBrackets() {
        ManualServerSelector s = clientSelects();
        routes(s, "bob@[::1]", "bob", "::1", 110, "[::1]");
        routes(s, "bob@[2001:db8::1]:1110", "bob", "2001:db8::1", 1110, "[2001:db8::1]:1110");
        routes(s, "bob@[::ffff:192.0.2.1]", "bob", "::ffff:192.0.2.1", 110, "[::ffff:192.0.2.1]");
        routes(s, "bob@[1:2:3:4:5:6:7:8]", "bob", "1:2:3:4:5:6:7:8", 110, "[1:2:3:4:5:6:7:8]");
    }

    @Test
    void severalDelimitersSplitAtTheLastOfAny() {
        ManualServerSelector s = selector().clientSelection(true).delimiters("@%").defaultServer(DEFAULT).build();
        routes(s, "bob%h", "bob", "h", 110, "h");
        routes(s, "a@evil.example%good.example", "a@evil.example", "good.example", 110, "good.example");
        routes(s, "a%good.example@evil.example", "a%good.example", "evil.example", 110, "evil.example");
        ManualServerSelector bang = selector().clientSelection(true).delimiters("!").defaultServer(DEFAULT).build();
        routes(bang, "bob@h", "bob@h", "pop.default.example", 110, "pop.default.example");
        routes(bang, "bob@h!k", "bob@h", "k", 110, "k");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "@h", "bob@", "bob@:110", "bob@h:", "bob@h:0", "bob@h:65536", "bob@h:0110", "bob@h:11x",
        "bob@h:99999999999", "bob@h:-1", "bob@h:+110", "bob@h:nosuchservice", "bob@h:110:110",
        "bob@::1", "bob@[::1", "bob@[::1]x", "bob@[::1]:", "bob@[fe80::1%eth0]", "bob@[fe80::1%25eth0]",
        "bob@ho st", "bob@h\t", "bob@h\r", "bob@h\n", "bob@h\u0000", "bob@h\u007f", "bob@h\u0085",
        "bob@127.1", "bob@127.0.1", "bob@2130706433", "bob@0x7f.1", "bob@0x7f000001", "bob@0177.0.0.1",
        "bob@127.000.0.1", "bob@127.0.0.01", "bob@127.0.0.1.", "bob@1.2.3.4.5", "bob@256.1.1.1",
        "bob@1.2.3", "bob@0", "bob@a.1", "bob@a..b", "bob@.a", "bob@a...", "bob@-a.example",
        "bob@a-.example", "bob@a_b.example", "bob@h\u043est", "bob@h/x", "bob@h%x", "bob@h\\x", "bob@h#x",
        "bob@h;x", "bob@h$(x)", "bob@[1:2:3:4:5:6:7:8:9]", "bob@[::1::2]", "bob@[12345::]", "bob@[::g]",
        "bob@[1:2:3:4:5:6:7]", "bob@[:1::]", "bob@[1::2:]", "bob@[::1.2.3]", "bob@[::01.2.3.4]",
        "bob@[1.2.3.4::]", "bob@[]", "bob@[[::1]]", "bob@[::1]]", "bob@h:[110]"
    })
    void malformedServersAreRejected(String login) {
        rejected(clientSelects(), login);
    }

    @Test
    void overlongInputIsRejected() {
        rejected(clientSelects(), "bob@" + "a.".repeat(200) + "example");
        rejected(clientSelects(), "b".repeat(5000));
        rejected(clientSelects(), "bob@" + "a".repeat(64) + ".example");
    }

    @Test
    void allowListMatchesTheTextAsTyped() {
        ManualServerSelector s = allowList("pop.example.com, *.corp.example,mail?.example.org,"
                + "pop.example.net:*,192.168.1.1:1110");
        routes(s, "bob@pop.example.com", "bob", "pop.example.com", 110, "pop.example.com");
        routes(s, "bob@POP.Example.COM", "bob", "POP.Example.COM", 110, "POP.Example.COM");
        routes(s, "bob@mail.corp.example", "bob", "mail.corp.example", 110, "mail.corp.example");
        routes(s, "bob@mail1.example.org", "bob", "mail1.example.org", 110, "mail1.example.org");
        routes(s, "bob@pop.example.net:995", "bob", "pop.example.net", 995, "pop.example.net:995");
        routes(s, "bob@pop.example.net:pop3s", "bob", "pop.example.net", 995, "pop.example.net:pop3s");
        routes(s, "bob@192.168.1.1:1110", "bob", "192.168.1.1", 1110, "192.168.1.1:1110");
        for (String login : List.of("bob", "bob@pop.example.com.", "bob@pop.example.com:110",
                "bob@pop.example.com:995", "bob@pop.example.com:pop3", "bob@corp.example",
                "bob@mail.corp.example.evil.example", "bob@mail.corp.example:25", "bob@mail12.example.org",
                "bob@mail.example.org", "bob@pop.example.net", "bob@192.168.1.1", "bob@192.168.1.1:110",
                "bob@192.168.1.1:01110", "bob@192.168.001.1:1110", "bob@3232235777:1110",
                "bob@[::ffff:192.168.1.1]:1110", "bob@[::ffff:c0a8:101]:1110", "bob@pop.example.com@evil.example",
                "bob@evil.example%pop.example.com", "bob@pop.example.co", "bob@xpop.example.com")) {
            rejected(s, login);
        }
    }

    @Test
    void wildcardsNeverCrossTheHostPortColon() {
        ManualServerSelector s = allowList("10.0.0.*,pop*");
        routes(s, "bob@10.0.0.5", "bob", "10.0.0.5", 110, "10.0.0.5");
        routes(s, "bob@pop.example.com", "bob", "pop.example.com", 110, "pop.example.com");
        rejected(s, "bob@10.0.0.5:25");
        rejected(s, "bob@pop:25");
        rejected(s, "bob@pop.example.com:110");
    }

    @Test
    void numericPatternsAdmitOnlyIpNumbersAndNamePatternsOnlyNames() {
        ManualServerSelector s = allowList("10.*,*.example.com");
        routes(s, "bob@10.1.2.3", "bob", "10.1.2.3", 110, "10.1.2.3");
        routes(s, "bob@pop.example.com", "bob", "pop.example.com", 110, "pop.example.com");
        rejected(s, "bob@10.evil.example");
        rejected(s, "bob@10.1");
        rejected(s, "bob@10.16777215");
        rejected(s, "bob@10.0x1.2.3");
        ManualServerSelector v6 = allowList("[2001:db8::*]");
        routes(v6, "bob@[2001:db8::5]", "bob", "2001:db8::5", 110, "[2001:db8::5]");
        rejected(v6, "bob@[2001:db8::5]:110");
        rejected(v6, "bob@2001.db8.example");
    }

    @Test
    void ipv4InIpv6NeedsALiteralEntry() {
        ManualServerSelector wild = allowList("*,[*]");
        rejected(wild, "bob@[::ffff:127.0.0.1]");
        rejected(wild, "bob@[::ffff:7f00:1]");
        rejected(wild, "bob@[::127.0.0.1]");
        rejected(wild, "bob@[0:0:0:0:0:ffff:7f00:1]");
        routes(wild, "bob@127.0.0.1", "bob", "127.0.0.1", 110, "127.0.0.1");
        routes(wild, "bob@[::1]", "bob", "::1", 110, "[::1]");
        ManualServerSelector literal = allowList("[::FFFF:127.0.0.1]");
        routes(literal, "bob@[::ffff:127.0.0.1]", "bob", "::ffff:127.0.0.1", 110, "[::ffff:127.0.0.1]");
        rejected(literal, "bob@[::ffff:7f00:1]");
        rejected(literal, "bob@127.0.0.1");
        rejected(literal, "bob@[0::ffff:127.0.0.1]");
    }

    @Test
    void literalIpEntriesAdmitOnlyTheirOwnSpelling() {
        ManualServerSelector s = allowList("127.0.0.1,[::1]");
        routes(s, "bob@127.0.0.1", "bob", "127.0.0.1", 110, "127.0.0.1");
        routes(s, "bob@[::1]", "bob", "::1", 110, "[::1]");
        for (String login : List.of("bob@127.1", "bob@2130706433", "bob@0x7f.1", "bob@0x7f000001",
                "bob@0177.0.0.1", "bob@127.0.0.01", "bob@127.0.0.1.", "bob@127.0.0.1:110",
                "bob@127.0.0.1:pop3", "bob@localhost", "bob@[::0001]", "bob@[0::1]",
                "bob@[0:0:0:0:0:0:0:1]", "bob@[::1]:110", "bob@[::ffff:127.0.0.1]")) {
            rejected(s, login);
        }
    }

    @Test
    void theDefaultServerIsNotCheckedAgainstTheList() {
        ManualServerSelector s = selector().clientSelection(true).defaultServer("pop.default.example:pop3s")
                .serverList("allowed.example").build();
        routes(s, "bob", "bob", "pop.default.example", 995, "pop.default.example:pop3s");
        rejected(s, "bob@pop.default.example:pop3s");
    }

    @Test
    void badConfigurationsAreRefusedWhenBuilt() {
        assertThrows(IllegalStateException.class,
                () -> selector().defaultServer(DEFAULT).serverList("a").build());
        assertThrows(IllegalStateException.class, () -> selector().build());
        assertThrows(IllegalArgumentException.class, () -> selector().delimiters(""));
        assertThrows(IllegalArgumentException.class, () -> selector().delimiters("@:"));
        assertThrows(IllegalArgumentException.class, () -> selector().delimiters("@ "));
        for (String list : List.of("", "a,,b", "a,", "a b", ":110", "a:", "a:1:2", "[::1", "[::1]x", "[]")) {
            assertThrows(IllegalArgumentException.class, () -> selector().serverList(list), list);
        }
        assertThrows(IllegalArgumentException.class, () -> selector().defaultServer("127.1"));
        assertThrows(IllegalArgumentException.class, () -> selector().defaultServer("h:0"));
    }

    @Test
    void pathologicalPatternsMatchInBoundedTime() {
        String pattern = "*a".repeat(120) + "*b";
        String text = "a".repeat(255);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 100; i++) {
                assertTrue(!Glob.matches(pattern, text));
            }
        });
        assertTrue(Glob.matches("*a*", "bab"));
        assertTrue(Glob.matches("a*b?c", "AxxbYc"));
        assertTrue(!Glob.matches("a*b?c", "abc"));
        assertTrue(Glob.matches("***", ""));
        assertTrue(!Glob.matches("a.c", "abc"));
        assertTrue(!Glob.matches("[a]", "a"));
    }

    @Test
    void neverThrowsAndStaysPrintableInReasons() {
        Selection got = clientSelects().select(CLIENT, null);
        assertInstanceOf(Selection.Reject.class, got);
        Selection.Reject r = assertInstanceOf(Selection.Reject.class, clientSelects().select(CLIENT, "bob@h${x}%n"));
        assertTrue(r.reason().indexOf('$') < 0 && r.reason().indexOf('{') < 0 && r.reason().indexOf('%') < 0, r.reason());
        assertTrue(r.reason().chars().allMatch(c -> c >= 0x20 && c < 0x7f), r.reason());
    }
}
