package org.pop3proxy.engine.hardening;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.defaults.ManualServerSelector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the selection and allow-list matcher ({@code -e -s}) through its public API: whatever
 * login it accepts dials only an allow-listed address. The oracle is independent of the
 * matcher: the server text must be literally the part after the last {@code @}, must match a
 * listed pattern as a plain glob over the whole text, and host and port must be read off that
 * same text. In the normal run the target replays its corpus; {@code JAZZER_FUZZ=1} fuzzes.
 */
class SelectorFuzzTest {
    static final List<String> LIST = List.of("pop.example.com", "*.corp.example", "10.0.0.*", "127.0.0.1:1110",
            "[::1]", "[2001:db8::*]:*", "mail?.example.org:pop3*", "*:995");
    static final ServerSelector SELECTOR = ManualServerSelector.builder().clientSelection(true)
            .serverList(String.join(",", LIST)).noDefaultServer().build();
    static final ClientInfo CLIENT = new ClientInfo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 110),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000));

    @FuzzTest(maxDuration = "10s")
    void acceptedLoginsDialOnlyListedServers(String login) {
        if (login == null) {
            return;
        }
        check(login);
    }

    @Test
    void hostileLoginsAreRejectedOrDialListedServers() {
        for (String login : List.of("bob@pop.example.com", "bob@evil.example", "bob@pop.example.com@evil.example",
                "bob@evil.example@pop.example.com", "bob@10.0.0.7", "bob@10.0.0.evil.example", "bob@127.0.0.1:1110",
                "bob@127.0.0.1:110", "bob@[::1]", "bob@[::ffff:127.0.0.1]", "bob@[2001:db8::1]:110",
                "bob@x.corp.example", "bob@x.corp.example:25", "bob@x.corp.example.evil", "bob@mail1.example.org:pop3s",
                "bob@pop.example.com:110", "bob@pop.example.com.", "bob@POP.EXAMPLE.COM", "bob@evil.example:995",
                "bob@%70op.example.com", "bob@pop.example.com\u0000.evil", "bob@0x7f.0.0.1", "bob@2130706433")) {
            check(login);
        }
        assertTrue(SELECTOR.select(CLIENT, "bob@evil.example") instanceof Selection.Reject);
        assertTrue(SELECTOR.select(CLIENT, "bob@pop.example.com") instanceof Selection.Route);
    }

    private static void check(String login) {
        Selection selection = SELECTOR.select(CLIENT, login);
        if (!(selection instanceof Selection.Route)) {
            return;
        }
        Selection.Route route = (Selection.Route) selection;
        ServerTarget server = route.server();
        int at = login.lastIndexOf('@');
        assertTrue(at > 0, "accepted without a server part: " + login);
        String text = login.substring(at + 1);
        assertEquals(text, server.text(), "the text matched is the text typed");
        assertEquals(login.substring(0, at), route.login(), "the login is the part before the server");
        assertTrue(LIST.stream().anyMatch(p -> glob(p).matcher(text).matches()),
                "accepted " + text + ", which matches no listed pattern");
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            host = text.substring(1, close);
            port = close + 1 < text.length() ? text.substring(close + 2) : "";
            assertEquals(':', close + 1 < text.length() ? text.charAt(close + 1) : ':');
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? "" : text.substring(colon + 1);
        }
        assertTrue(host.equalsIgnoreCase(server.host()), "host " + server.host() + " not from " + text);
        assertTrue(server.host().chars().allMatch(c -> c < 0x7f && (Character.isLetterOrDigit(c) || ".-:".indexOf(c) >= 0)),
                "host holds odd characters: " + server.host());
        if (port.isEmpty()) {
            assertEquals(ServerTarget.POP3_PORT, server.port());
        } else if (port.chars().allMatch(Character::isDigit)) {
            assertEquals(Integer.parseInt(port), server.port(), "port not from " + text);
        }
    }

    /** Returns a plain glob ({@code *}, {@code ?}) as a case-insensitive regex over the whole text. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
