package org.pop3proxy.engine.hardening;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pop3proxy.engine.ProxyServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that lies: bad greetings, broken status lines, unsolicited data, extra replies and
 * bodies where none belong. The proxy must never send credentials to a server whose greeting
 * was wrong, never pass a broken reply on, and end the session rather than guess.
 */
class MaliciousServerTest {
    static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path spool;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private ProxyServer proxyFor(HostileServer server, boolean scanning) throws IOException {
        resources.add(server);
        ProxyServer proxy = Harness.listen((scanning ? Harness.scanning(server.port(), TIMEOUT, spool)
                : Harness.config(server.port(), TIMEOUT)).build());
        resources.add(proxy);
        return proxy;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static Stream<Arguments> badGreetings() {
        byte[] overlong = new byte[600];
        Arrays.fill(overlong, (byte) 'x');
        System.arraycopy(bytes("+OK "), 0, overlong, 0, 4);
        overlong[598] = '\r';
        overlong[599] = '\n';
        byte[] endless = new byte[256 * 1024];
        Arrays.fill(endless, (byte) '+');
        return Stream.of(
                Arguments.of("nothing at all (stall)", new byte[0], false),
                Arguments.of("close at once", new byte[0], true),
                Arguments.of("-ERR", bytes("-ERR go away\r\n"), false),
                Arguments.of("garbage", bytes("HELLO THERE\r\n"), false),
                Arguments.of("+OKAY (no blank after +OK)", bytes("+OKAY ready\r\n"), false),
                Arguments.of("SMTP banner", bytes("220 smtp.example ESMTP\r\n"), false),
                Arguments.of("overlong (600 octets)", overlong, false),
                Arguments.of("no line end, 256 KiB", endless, false),
                Arguments.of("NUL inside", bytes("+OK ready\0now\r\n"), false),
                Arguments.of("ANSI escape inside", bytes("+OK \u001b[2J\u001b]0;pwned\u0007\r\n"), false),
                Arguments.of("binary", new byte[] {(byte) 0xff, (byte) 0xfb, 0x01, (byte) 0xff, (byte) 0xfd, '\r', '\n'},
                        false),
                Arguments.of("TLS handshake bytes", new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01}, false),
                Arguments.of("half a greeting then close", bytes("+OK rea"), true));
    }

    @ParameterizedTest(name = "greeting: {0}")
    @MethodSource("badGreetings")
    void credentialsNeverGoToAServerWithABadGreeting(String name, byte[] greeting, boolean thenClose) throws Exception {
        HostileServer server = new HostileServer(c -> {
            c.raw(greeting);
            if (thenClose) {
                return;
            }
            c.drain();
        });
        ProxyServer proxy = proxyFor(server, false);
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("-ERR bad login");
            assertTrue(c.closedByPeer());
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of(), server.received(), "nothing at all, least of all USER/PASS, went upstream");
    }

    @Test
    void aGreetingInOneByteSegmentsIsFine() throws Exception {
        HostileServer server = new HostileServer(c -> {
            c.trickle(bytes("+OK slow but fine <1.2@x>\r\n"));
            c.answer("+OK");
            c.readLine();
            c.trickle(bytes("+OK logged in\r\n"));
            c.readLine();
            c.trickle(bytes("+OK 1 20\r\n"));
            c.answer("+OK bye");
        });
        ProxyServer proxy = proxyFor(server, false);
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK logged in");
            c.send("STAT").expect("+OK 1 20");
            c.send("QUIT").expect("+OK bye");
            assertTrue(c.closedByPeer());
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob", "PASS secret", "STAT", "QUIT"), server.received());
    }

    @Test
    void aRefusedUserNeverGetsThePassword() throws Exception {
        HostileServer server = new HostileServer(c -> {
            c.send("+OK ready");
            c.answer("-ERR no such user");
            c.drain();
        });
        ProxyServer proxy = proxyFor(server, false);
        try (RawClient c = new RawClient(proxy.port())) {
            c.login0();
            c.send("PASS secret").expect("-ERR bad login");
            assertTrue(c.closedByPeer());
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob"), server.received());
    }

    static Stream<Arguments> badReplies() {
        byte[] overlong = new byte[1000];
        Arrays.fill(overlong, (byte) '1');
        System.arraycopy(bytes("+OK "), 0, overlong, 0, 4);
        overlong[998] = '\r';
        overlong[999] = '\n';
        byte[] endless = new byte[1024 * 1024];
        Arrays.fill(endless, (byte) '9');
        System.arraycopy(bytes("+OK "), 0, endless, 0, 4);
        return Stream.of(
                Arguments.of("overlong status (1000 octets)", overlong),
                Arguments.of("status without a line end (1 MiB)", endless),
                Arguments.of("no status word", bytes("1 2048\r\n")),
                Arguments.of("OK without +", bytes("OK 1 2048\r\n")),
                Arguments.of("status with a NUL", bytes("+OK 1\0 2048\r\n")),
                Arguments.of("status with a bare CR", bytes("+OK 1\r2048\r\n")),
                Arguments.of("status with ESC", bytes("+OK \u001b[31m1 2048\r\n")),
                Arguments.of("empty line", bytes("\r\n")),
                Arguments.of("close instead of a reply", new byte[0]));
    }

    @ParameterizedTest(name = "STAT answered with {0}")
    @MethodSource("badReplies")
    void aBrokenReplyEndsTheSessionAndIsNotPassedOn(String name, byte[] reply) throws Exception {
        HostileServer server = new HostileServer(c -> {
            c.login();
            if (c.readLine() != null && reply.length > 0) {
                c.raw(reply);
                c.drain();
            }
        });
        ProxyServer proxy = proxyFor(server, false);
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.send("STAT");
            byte[] rest = c.readToClose();
            assertEquals("", Harness.ascii(rest), "nothing of a broken reply reaches the client");
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertFalse(server.receivedVerb("QUIT"), server.received().toString());
    }

    static Stream<Arguments> desynchronising() {
        return Stream.of(
                Arguments.of("unsolicited data after the login reply", "PASS", bytes("+OK logged in\r\n+OK surprise\r\n"),
                        "+OK logged in"),
                Arguments.of("two replies to STAT", "STAT", bytes("+OK 1 20\r\n+OK 1 20\r\n"), "+OK 1 20"),
                Arguments.of("a body after -ERR to RETR", "RETR", bytes("-ERR no such message\r\nFrom: evil\r\n.\r\n"),
                        "-ERR no such message"),
                Arguments.of("a body after STAT", "STAT", bytes("+OK 1 20\r\nFrom: evil\r\n.\r\n"), "+OK 1 20"),
                Arguments.of("a body after DELE", "DELE", bytes("+OK deleted\r\n.\r\n"), "+OK deleted"),
                Arguments.of("a body after NOOP", "NOOP", bytes("+OK\r\nx\r\n.\r\n"), "+OK"),
                Arguments.of("a status line after a body", "RETR", bytes("+OK\r\nSubject: a\r\n\r\nhi\r\n.\r\n+OK extra\r\n"),
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("desynchronising")
    void extraDataFromTheServerNeverReachesTheClientAsAReply(String name, String verb, byte[] answer, String firstReply)
            throws Exception {
        HostileServer server = new HostileServer(c -> {
            c.send("+OK ready");
            String line;
            while ((line = c.readLine()) != null) {
                if (line.startsWith(verb)) {
                    c.raw(answer);
                } else {
                    c.send("+OK");
                }
            }
        });
        ProxyServer proxy = proxyFor(server, false);
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret");
            if (!verb.equals("PASS")) {
                c.expect("+OK");
                c.send(verb + (verb.equals("RETR") || verb.equals("DELE") ? " 1" : ""));
            }
            if (firstReply != null) {
                c.expect(firstReply);
                c.send("NOOP");
            } else {
                c.expect("+OK");
                assertTrue(Harness.holdsTerminator(readBodyLines(c)), "the whole body came before the extra data");
            }
            byte[] rest = c.readToClose();
            assertEquals("", Harness.ascii(rest), "the extra data is never relayed as a reply or body");
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertFalse(server.receivedVerb("QUIT"), server.received().toString());
        if (firstReply != null) {
            long noops = server.received().stream().filter("NOOP"::equals).count();
            assertEquals(verb.equals("NOOP") ? 1 : 0, noops,
                    "the command after a desynchronised reply is not sent upstream: " + server.received());
        }
    }

    private static byte[] readBodyLines(RawClient c) throws IOException {
        StringBuilder b = new StringBuilder();
        String line;
        while ((line = c.readLine()) != null) {
            b.append(line).append("\r\n");
            if (line.equals(".")) {
                break;
            }
        }
        return bytes("\r\n" + b);
    }

    @Test
    void aBodyCutByTheServerNeverEndsWithATerminator() throws Exception {
        byte[] body = Harness.bodyLines(10_000);
        HostileServer server = new HostileServer(c -> {
            c.login();
            c.readLine();
            c.send("+OK");
            c.raw(Arrays.copyOf(body, body.length - 1000));
        });
        ProxyServer proxy = proxyFor(server, false);
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.send("RETR 1").expect("+OK");
            byte[] rest = c.readToClose();
            assertEquals(body.length - 1000, rest.length, "what came is relayed byte for byte");
            assertFalse(Harness.holdsTerminator(rest));
        }
    }

    @Test
    void aBodyCutByTheServerWhileScanningGivesNoPositiveReply() throws Exception {
        byte[] body = Harness.bodyLines(10_000);
        HostileServer server = new HostileServer(c -> {
            c.login();
            c.readLine();
            c.send("+OK");
            c.raw(Arrays.copyOf(body, body.length - 1000));
        });
        ProxyServer proxy = proxyFor(server, true);
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.send("RETR 1");
            byte[] rest = c.readToClose();
            assertFalse(Harness.ascii(rest).startsWith("+OK"), "no +OK for a message that never came whole");
        }
        assertEquals(List.of(), Harness.leftovers(spool));
    }
}
