package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC's session rules, over real sockets, against a scripted server that records what it got. */
class SessionRulesTest {
    private ScriptedServer server;
    private ProxyServer proxy;

    private Pop3Client connect(ScriptedServer upstream) throws IOException {
        return connect(upstream, b -> b);
    }

    private Pop3Client connect(ScriptedServer upstream, UnaryOperator<ProxyConfig.Builder> tweak) throws IOException {
        server = upstream;
        ProxyConfig config = tweak.apply(ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))).build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
        Pop3Client c = new Pop3Client(proxy.port());
        c.expect("+OK POP3 proxy ready");
        return c;
    }

    private static void login(Pop3Client c) throws IOException {
        c.send("USER bob").expect("+OK password required");
        c.send("PASS secret").expect("+OK");
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void authorizationIsHandledLocallyUntilPass() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            c.send("STAT").expect("-ERR login first");
            c.send("PASS x").expect("-ERR give USER first");
            c.send("USER first").expect("+OK password required");
            c.send("USER bob").expect("+OK password required");
            assertEquals(0, server.connections.get(), "nothing goes upstream before PASS");
            c.send("PASS two words ").expect("+OK");
            assertEquals(List.of("USER bob", "PASS two words "), server.received);
        }
    }

    @Test
    void quitBeforeLoginSaysByeAndCloses() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            c.send("quit").expect("+OK bye");
            c.expectClosed();
            assertEquals(0, server.connections.get());
        }
    }

    @Test
    void sixLinesWithoutALoginCloseTheConnection() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            for (int i = 0; i < 5; i++) {
                c.send("NOOP").expect("-ERR login first");
            }
            c.send("USER bob").expect("+OK password required");
            c.expectClosed();
            assertEquals(0, server.connections.get());
        }
    }

    @Test
    void failedLoginIsFinal() throws Exception {
        ScriptedServer refusing = new ScriptedServer("+OK hi\r\n", line -> line.startsWith("PASS")
                ? ScriptedServer.ascii("-ERR [AUTH] wrong\r\n") : ScriptedServer.ascii("+OK\r\n"));
        try (Pop3Client c = connect(refusing)) {
            c.send("USER bob").expect("+OK password required");
            c.send("PASS wrong").expect("-ERR bad login");
            c.expectClosed();
            assertFalse(server.received.contains("QUIT"));
        }
    }

    @Test
    void serverErrorTextIsRelayedWhenAskedFor() throws Exception {
        ScriptedServer refusing = new ScriptedServer("+OK hi\r\n", line -> line.startsWith("PASS")
                ? ScriptedServer.ascii("-ERR [IN-USE] mailbox locked\r\n") : ScriptedServer.ascii("+OK\r\n"));
        try (Pop3Client c = connect(refusing, b -> b.relayServerErrors(true))) {
            c.send("USER bob").expect("+OK password required");
            c.send("PASS pw").expect("-ERR [IN-USE] mailbox locked");
            c.expectClosed();
        }
    }

    @Test
    void badServerGreetingGetsNoCredentials() throws Exception {
        try (Pop3Client c = connect(new ScriptedServer("* OK IMAP here\r\n", line -> ScriptedServer.ascii("+OK\r\n")))) {
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
            assertTrue(server.awaitClientClosed());
            assertEquals(List.of(), server.received);
        }
    }

    @Test
    void unreachableServerIsABadLogin() throws Exception {
        ScriptedServer gone = ScriptedServer.withMessage(".\r\n");
        gone.close();
        try (Pop3Client c = connect(gone)) {
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
    }

    @Test
    void unknownCommandsAreNotForwardedAndTheSixthCloses() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            login(c);
            for (int i = 0; i < 5; i++) {
                c.send("CAPA").expect("-ERR unknown command");
            }
            c.send("STAT").expect("+OK");
            c.send("XTND XLST").expect("-ERR unknown command");
            c.expectClosed();
            assertEquals(List.of("USER bob", "PASS secret", "STAT"), server.received);
        }
    }

    @Test
    void badArgumentsAreAnsweredLocally() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            login(c);
            c.send("RETR").expect("-ERR invalid arguments");
            c.send("RETR 0").expect("-ERR invalid arguments");
            c.send("TOP 1").expect("-ERR invalid arguments");
            c.send("DELE x").expect("-ERR invalid arguments");
            c.send("STAT 1").expect("-ERR invalid arguments");
            c.send("retr  1").expectStartsWith("+OK");
            c.readBody();
            assertEquals(List.of("USER bob", "PASS secret", "RETR 1"), server.received);
        }
    }

    @Test
    void lastReturnsTheServersNumber() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            login(c);
            c.send("LAST").expect("+OK 7");
        }
    }

    @Test
    void overlongAndControlLinesAreRefusedNotForwarded() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            login(c);
            c.send("NOOP " + "x".repeat(300)).expect("-ERR line too long");
            c.sendRaw("NOOP\rDELE 1\r\n".getBytes(StandardCharsets.ISO_8859_1)).expect("-ERR invalid character in command");
            c.sendRaw("DELE 1\0\r\n".getBytes(StandardCharsets.ISO_8859_1)).expect("-ERR invalid character in command");
            c.send("NOOP").expect("+OK");
            assertEquals(List.of("USER bob", "PASS secret", "NOOP"), server.received);
        }
    }

    @Test
    void clientThatVanishesNeverCausesAQuit() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            login(c);
            c.send("DELE 1").expect("+OK");
        }
        assertTrue(server.awaitClientClosed());
        assertEquals(List.of("USER bob", "PASS secret", "DELE 1"), server.received);
    }

    @Test
    void clientTimeoutEndsTheSessionWithoutAQuit() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"), b -> b.timeout(Duration.ofMillis(300)))) {
            login(c);
            c.send("DELE 1").expect("+OK");
            c.expect("-ERR timeout");
            c.expectClosed();
        }
        assertTrue(server.awaitClientClosed());
        assertFalse(server.received.contains("QUIT"));
    }

    @Test
    void quitIsRelayedAndCloses() throws Exception {
        try (Pop3Client c = connect(ScriptedServer.withMessage(".\r\n"))) {
            login(c);
            c.send("QUIT").expect("+OK bye");
            c.expectClosed();
            assertEquals("QUIT", server.received.get(server.received.size() - 1));
        }
    }

    @Test
    void garbageFromTheServerEndsTheSession() throws Exception {
        ScriptedServer garbage = new ScriptedServer("+OK hi\r\n", line -> line.equals("STAT")
                ? ScriptedServer.ascii("200 OK\r\n") : ScriptedServer.ascii("+OK\r\n"));
        try (Pop3Client c = connect(garbage)) {
            login(c);
            c.send("STAT").expectClosed();
        }
    }

    @Test
    void silentServerTimesOut() throws Exception {
        ScriptedServer silent = new ScriptedServer("+OK hi\r\n", line -> line.equals("STAT")
                ? new byte[0] : ScriptedServer.ascii("+OK\r\n"));
        try (Pop3Client c = connect(silent, b -> b.timeout(Duration.ofMillis(300)))) {
            login(c);
            c.send("STAT").expectClosed();
        }
    }

    @Test
    void overlongServerReplyEndsTheSession() throws Exception {
        ScriptedServer chatty = new ScriptedServer("+OK hi\r\n", line -> line.equals("STAT")
                ? ScriptedServer.ascii("+OK " + "x".repeat(2000) + "\r\n") : ScriptedServer.ascii("+OK\r\n"));
        try (Pop3Client c = connect(chatty)) {
            login(c);
            c.send("STAT").expectClosed();
        }
    }

    @Test
    void bodyCutOffByTheServerIsNotCompletedForTheClient() throws Exception {
        ScriptedServer cutting = new ScriptedServer("+OK hi\r\n", line -> line.startsWith("RETR")
                ? ScriptedServer.thenClose("+OK\r\nSubject: half\r\n\r\nonly half\r\n") : ScriptedServer.ascii("+OK\r\n"));
        try (Pop3Client c = connect(cutting)) {
            login(c);
            c.send("RETR 1").expect("+OK");
            c.expect("Subject: half");
            c.expect("");
            c.expect("only half");
            c.expectClosed();
        }
    }

    @Test
    void messageIsRelayedByteForByte() throws Exception {
        String body = "Subject: t\r\n\r\n..leading dot\r\n.. \r\ntrailing blanks  \r\n\u00ff\u00e98bit\r\n"
                + "y".repeat(1 << 20) + "\r\n\r\n.\r\n";
        try (Pop3Client c = connect(ScriptedServer.withMessage(body))) {
            login(c);
            c.send("RETR 1").expect("+OK message follows");
            byte[] got = c.readBody();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertArrayEquals(sha.digest(body.getBytes(StandardCharsets.ISO_8859_1)), sha.digest(got));
            c.send("LIST").expect("+OK 1 messages");
            assertArrayEquals(("1 " + body.length() + "\r\n.\r\n").getBytes(StandardCharsets.ISO_8859_1), c.readBody());
        }
    }
}
