package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.pop3proxy.testkit.FaultyUpstream.Fault;

/** Every fault of the upstream gives the client a clean {@code -ERR} or a clean close, and never a QUIT upstream. */
class ProxyFaultsTest {
    private static final String MESSAGE = "Subject: cut\r\n\r\n" + "0123456789abcdef\r\n".repeat(200);

    private static Pop3ProxyHarness harness(Fault fault, String point) {
        FaultyUpstream.Builder upstream = FaultyUpstream.builder().user("bob", "secret").message(MESSAGE)
                .fault(fault, point);
        return Pop3ProxyHarness.builder().faultyUpstream(upstream)
                .config(b -> b.timeout(Duration.ofSeconds(1)))
                .start();
    }

    private static void assertNoQuitUpstream(Pop3ProxyHarness h) throws InterruptedException {
        FaultyUpstream upstream = h.faultyUpstream();
        if (upstream.connections() > 0) {
            assertTrue(upstream.awaitClosedConnections(upstream.connections(), Duration.ofSeconds(5)),
                    "the proxy left the upstream connection open");
        }
        assertFalse(upstream.verbs().contains("QUIT"), upstream.commands().toString());
    }

    @Test
    void noFaultRelaysTheMailbox() {
        try (Pop3ProxyHarness h = harness(Fault.NONE, FaultyUpstream.GREETING);
             ScriptClient c = h.login("bob", "secret")) {
            c.send("RETR 1").expect("+OK " + MESSAGE.length() + " octets");
            assertEquals(MESSAGE, new String(c.readMultiline(), StandardCharsets.US_ASCII));
            c.send("QUIT").expect("+OK bye");
            c.expectClosed();
        }
    }

    /** Faults on the way to a login: the client hears {@code -ERR bad login} and the connection closes. */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"BAD_GREETING", "CLOSE_AFTER_GREETING", "GARBAGE_REPLY", "STALL",
        "DROP", "CLOSE_MID_BODY", "OVERLONG_STATUS_LINE", "REJECT_LOGIN"})
    void loginFaultIsABadLogin(Fault fault) throws InterruptedException {
        String point = fault == Fault.REJECT_LOGIN ? "PASS" : FaultyUpstream.GREETING;
        try (Pop3ProxyHarness h = harness(fault, point); ScriptClient c = h.client()) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
            assertEquals(1, h.faultyUpstream().connections());
            assertNoQuitUpstream(h);
        }
    }

    /** Faults in TRANSACTION: the session ends; the client never sees a reply that is not POP3. */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"GARBAGE_REPLY", "STALL", "DROP", "OVERLONG_STATUS_LINE"})
    void transactionFaultClosesTheClient(Fault fault) throws InterruptedException {
        try (Pop3ProxyHarness h = harness(fault, "STAT"); ScriptClient c = h.login("bob", "secret")) {
            c.send("STAT");
            byte[] rest = c.readToEnd();
            String text = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(text.isEmpty() || text.startsWith("-ERR"), "client got: " + text);
            assertTrue(rest.length < 1000, "the overlong line reached the client");
            assertEquals(List.of("USER", "PASS", "STAT"), h.faultyUpstream().verbs().subList(0, 3));
            assertNoQuitUpstream(h);
        }
    }

    @Test
    void bodyCutOffByTheServerIsNeverCompleted() throws InterruptedException {
        try (Pop3ProxyHarness h = harness(Fault.CLOSE_MID_BODY, "RETR"); ScriptClient c = h.login("bob", "secret")) {
            c.send("RETR 1").expect("+OK " + MESSAGE.length() + " octets");
            byte[] rest = c.readToEnd();
            String text = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(rest.length > 0 && MESSAGE.startsWith(text.substring(0, rest.length / 2)),
                    "the first part of the body should have been relayed");
            assertFalse(text.endsWith("\r\n.\r\n"), "the proxy completed a cut-off body");
            assertNoQuitUpstream(h);
        }
    }

    @Test
    void clientThatVanishesCausesNoQuitUpstream() throws InterruptedException {
        try (Pop3ProxyHarness h = harness(Fault.NONE, FaultyUpstream.GREETING)) {
            try (ScriptClient c = h.login("bob", "secret")) {
                c.send("DELE 1").expect("+OK message 1 deleted");
            }
            assertTrue(h.faultyUpstream().awaitClosedConnections(1, Duration.ofSeconds(5)));
            assertEquals(List.of("USER", "PASS", "DELE"), h.faultyUpstream().verbs());
            assertEquals(1, h.faultyUpstream().messageCount());
        }
    }

    @Test
    void clientQuitReachesTheServerAndCommitsDeletions() throws InterruptedException {
        try (Pop3ProxyHarness h = harness(Fault.NONE, FaultyUpstream.GREETING)) {
            try (ScriptClient c = h.login("bob", "secret")) {
                c.send("DELE 1").expect("+OK message 1 deleted");
                c.send("QUIT").expect("+OK bye");
                c.expectClosed();
            }
            assertTrue(h.faultyUpstream().awaitClosedConnections(1, Duration.ofSeconds(5)));
            assertEquals(List.of("USER", "PASS", "DELE", "QUIT"), h.faultyUpstream().verbs());
            assertEquals(0, h.faultyUpstream().messageCount());
        }
    }
}
