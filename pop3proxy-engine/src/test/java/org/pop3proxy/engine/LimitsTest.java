package org.pop3proxy.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 7's limits: session caps, the AUTHORIZATION deadline, slow readers, spool space. */
class LimitsTest {
    private static ProxyServer listen(ScriptedServer upstream, UnaryOperator<ProxyConfig.Builder> tweak)
            throws IOException {
        ProxyConfig config = tweak.apply(ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))).build();
        return Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
    }

    private static void awaitOpenSessions(ProxyServer server, int n) throws InterruptedException {
        assertTrue(OpenSessions.await(server, n, 5000), "open sessions stayed at " + server.openSessions());
    }

    @Test
    void sessionsPerClientAreCappedAndFreedWhenOneEnds() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n");
             ProxyServer server = listen(upstream, b -> b.maxSessionsPerClient(2))) {
            Pop3Client a = new Pop3Client(server.port());
            Pop3Client b = new Pop3Client(server.port());
            a.expect("+OK POP3 proxy ready");
            b.expect("+OK POP3 proxy ready");
            try (Pop3Client c = new Pop3Client(server.port())) {
                c.expect("-ERR too many connections, try again later");
                c.expectClosed();
            }
            a.send("QUIT").expect("+OK bye");
            a.close();
            awaitOpenSessions(server, 1);
            try (Pop3Client d = new Pop3Client(server.port())) {
                d.expect("+OK POP3 proxy ready");
            }
            b.close();
        }
    }

    @Test
    void sessionsInAllAreCapped() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n");
             ProxyServer server = listen(upstream, b -> b.maxSessions(1))) {
            try (Pop3Client a = new Pop3Client(server.port())) {
                a.expect("+OK POP3 proxy ready");
                try (Pop3Client b = new Pop3Client(server.port())) {
                    b.expect("-ERR too many connections, try again later");
                    b.expectClosed();
                }
                a.send("NOOP").expect("-ERR login first");
            }
        }
    }

    @Test
    void authorizationHasADeadlineBeyondThePerReadTimeout() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n");
             ProxyServer server = listen(upstream, b -> b.timeout(Duration.ofSeconds(30))
                     .authorizationTimeout(Duration.ofMillis(300)))) {
            try (Pop3Client c = new Pop3Client(server.port())) {
                c.expect("+OK POP3 proxy ready");
                c.send("USER bob").expect("+OK password required");
                // Nothing more: the deadline, not the 30 s per-read timeout, ends the session.
                c.expect("-ERR timeout");
                c.expectClosed();
            }
            assertEquals(0, upstream.connections.get());
        }
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheTimeoutWithoutAQuit() throws Exception {
        String body = ("x".repeat(998) + "\r\n").repeat(60_000) + ".\r\n"; // about 60 MB
        try (ScriptedServer upstream = ScriptedServer.withMessage(body);
             ProxyServer server = listen(upstream, b -> b.timeout(Duration.ofMillis(500)))) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setReceiveBufferSize(4096);
                s.setSoTimeout(5000);
                s.getOutputStream().write("USER bob\r\nPASS pw\r\nRETR 1\r\n".getBytes(StandardCharsets.US_ASCII));
                // Never read: the proxy's write blocks, and its deadline must end the session.
                assertTrue(upstream.awaitClientClosed(), "the proxy must give up on a client that does not read");
            }
            assertFalse(upstream.received.contains("QUIT"));
            awaitOpenSessions(server, 0);
        }
    }

    @Test
    void spoolSpaceOfTheProcessIsBounded(@TempDir Path dir) throws Exception {
        byte[] body = "Subject: x\r\n\r\nhello world\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        Path spool = Files.createFile(dir.resolve("m"));
        AtomicLong reserved = new AtomicLong();
        assertFalse(ScanningDelivery.spoolBody(server(body), spool, 1000, 10, reserved),
                "a message beyond the total spool space is refused");
        assertTrue(reserved.get() > 10, "what was counted is the caller's to release");
        assertTrue(ScanningDelivery.spoolBody(server(body), spool, 1000, 1000, new AtomicLong()));
    }

    private static Upstream server(byte[] body) {
        return new Upstream(new ByteArrayInputStream(body), java.io.OutputStream.nullOutputStream(), () -> { });
    }

    @Test
    void limitsAreCheckedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("h", 110))).maxSessions(0).build());
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("h", 110))).maxSessionsPerClient(0).build());
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("h", 110))).maxSpoolTotal(1).build());
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("h", 110))).authorizationTimeout(Duration.ZERO).build());
    }
}
