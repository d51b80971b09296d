package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client side: STLS, implicit TLS, --tls-required and CAPA, over real sockets. */
class StlsSessionTest {
    private static final List<String> CAPA_WITH_STLS = List.of("USER", "TOP", "UIDL", "RESP-CODES", "STLS",
            "IMPLEMENTATION pop3proxy", ".");
    private static final List<String> CAPA_WITHOUT_STLS = List.of("USER", "TOP", "UIDL", "RESP-CODES",
            "IMPLEMENTATION pop3proxy", ".");

    private final TestCerts certs = TestCerts.get();
    private ScriptedServer server;
    private ProxyServer proxy;

    private ProxyServer start(UnaryOperator<ProxyConfig.Builder> tweak, ListenOptions options) throws IOException {
        server = ScriptedServer.withMessage("hello\r\n.\r\n");
        ProxyConfig config = tweak.apply(ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("127.0.0.1", server.port())))).build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0), options);
        return proxy;
    }

    private ProxyServer startWithTls(UnaryOperator<ProxyConfig.Builder> tweak) throws IOException {
        ClientTls tls = certs.clientTls();
        return start(b -> tweak.apply(b.clientTls(tls)), ListenOptions.PLAIN);
    }

    private SSLContext trust() throws Exception {
        return TestCerts.trusting(certs.cert);
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
    void stlsThenLoginAndFetchOverTls() throws Exception {
        startWithTls(b -> b);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("CAPA").expect("+OK Capability list follows");
            assertEquals(CAPA_WITH_STLS, c.readMultiLine());
            c.send("STLS").expect("+OK Begin TLS negotiation");
            c.startTls(trust());
            assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(c.tlsSocket().getSession().getProtocol()));
            c.send("CAPA").expect("+OK Capability list follows");
            assertEquals(CAPA_WITHOUT_STLS, c.readMultiLine());
            c.send("STLS").expect("-ERR TLS already active");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK");
            c.send("RETR 1").expect("+OK message follows").expect("hello").expect(".");
            c.send("QUIT").expect("+OK bye");
            c.expectClosed();
        }
        assertEquals(List.of("USER bob", "PASS secret", "RETR 1", "QUIT"), server.received);
    }

    @Test
    void userForgottenAfterStls() throws Exception {
        startWithTls(b -> b);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER mallory").expect("+OK password required");
            c.send("STLS").expect("+OK Begin TLS negotiation");
            c.startTls(trust());
            c.send("PASS secret").expect("-ERR give USER first");
        }
    }

    @Test
    void commandsInjectedBehindStlsAbortTheSession() throws Exception {
        startWithTls(b -> b);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.sendRaw("STLS\r\nUSER x\r\n".getBytes(StandardCharsets.US_ASCII));
            c.expectClosed();
        }
        assertEquals(0, server.connections.get());
        assertTrue(server.received.isEmpty());
    }

    @Test
    void aFailedHandshakeClosesTheSession() throws Exception {
        startWithTls(b -> b);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("STLS").expect("+OK Begin TLS negotiation");
            c.send("USER bob");
            c.expectClosedAfterTlsAlert();
        }
        assertEquals(0, server.connections.get());
    }

    @Test
    void tlsRequiredRefusesUserAndPassBeforeStlsAndCountsThem() throws Exception {
        startWithTls(b -> b.tlsRequired(true));
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("-ERR TLS required, use STLS");
            c.send("PASS secret").expect("-ERR TLS required, use STLS");
            c.send("STLS").expect("+OK Begin TLS negotiation");
            c.startTls(trust());
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK");
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(List.of("USER bob", "PASS secret", "QUIT"), server.received);
    }

    @Test
    void tlsRequiredLinesCountTowardsTheLimit() throws Exception {
        startWithTls(b -> b.tlsRequired(true));
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            for (int i = 0; i < 6; i++) {
                c.send("USER bob").expect("-ERR TLS required, use STLS");
            }
            c.expectClosed();
        }
        assertEquals(0, server.connections.get());
    }

    @Test
    void tlsRequiredNeedsACertificate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("127.0.0.1", 110))).tlsRequired(true).build());
        assertTrue(e.getMessage().contains("tlsRequired") && e.getMessage().contains("clientTls"));
    }

    @Test
    void capaWithoutTlsListsNoStlsInBothStatesAndIsNeverForwarded() throws Exception {
        start(b -> b.capa(true), ListenOptions.PLAIN);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("capa").expect("+OK Capability list follows");
            assertEquals(CAPA_WITHOUT_STLS, c.readMultiLine());
            c.send("STLS").expect("-ERR login first");
            c.send("CAPA x").expect("-ERR invalid arguments");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK");
            c.send("CAPA").expect("+OK Capability list follows");
            assertEquals(CAPA_WITHOUT_STLS, c.readMultiLine());
            c.send("STLS").expect("-ERR unknown command");
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(List.of("USER bob", "PASS secret", "QUIT"), server.received);
    }

    @Test
    void capaInTransactionAfterStlsHasNoStls() throws Exception {
        startWithTls(b -> b);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK");
            c.send("CAPA").expect("+OK Capability list follows");
            assertEquals(CAPA_WITHOUT_STLS, c.readMultiLine());
        }
        assertFalse(server.received.contains("CAPA"));
    }

    @Test
    void withoutTheOptionsCapaAndStlsStayUnknown() throws Exception {
        start(b -> b, ListenOptions.PLAIN);
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("CAPA").expect("-ERR login first");
            c.send("STLS").expect("-ERR login first");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK");
            for (int i = 0; i < 5; i++) {
                c.send("CAPA").expect("-ERR unknown command");
            }
            c.send("STLS").expect("-ERR unknown command");
            c.expectClosed();
        }
        assertEquals(List.of("USER bob", "PASS secret"), server.received);
    }

    @Test
    void implicitTlsListenerGreetsOverTls() throws Exception {
        ClientTls tls = certs.clientTls();
        start(b -> b.clientTls(tls), ListenOptions.PLAIN.withImplicitTls(true));
        try (Pop3Client c = Pop3Client.implicit(proxy.port(), trust())) {
            c.expect("+OK POP3 proxy ready");
            c.send("CAPA").expect("+OK Capability list follows");
            assertEquals(CAPA_WITHOUT_STLS, c.readMultiLine());
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("+OK");
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(List.of("USER bob", "PASS secret", "QUIT"), server.received);
    }

    @Test
    void implicitTlsListenerDropsAPlainClient() throws Exception {
        ClientTls tls = certs.clientTls();
        start(b -> b.clientTls(tls), ListenOptions.PLAIN.withImplicitTls(true));
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.send("USER bob");
            c.expectClosedAfterTlsAlert();
        }
        assertEquals(0, server.connections.get());
    }

    @Test
    void implicitTlsNeedsACertificate() {
        Pop3Proxy p = Pop3Proxy.create(ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", 110))).build());
        assertThrows(IllegalArgumentException.class,
                () -> p.bind(new InetSocketAddress("127.0.0.1", 0), ListenOptions.PLAIN.withImplicitTls(true)));
    }
}
