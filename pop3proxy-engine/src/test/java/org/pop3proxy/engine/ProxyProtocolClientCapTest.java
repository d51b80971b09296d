package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behind the PROXY protocol the per-client cap counts the real client the header names, not the
 * load balancer it connects from, and gives the count back when a session ends, however it ends.
 */
class ProxyProtocolClientCapTest {
    private static final int CAP = 2;
    private static final String GREETING = "+OK POP3 proxy ready";
    private static final String REFUSAL = "-ERR too many connections, try again later";

    private final List<Pop3Client> clients = new ArrayList<>();
    private ScriptedServer server;
    private ProxyServer proxy;

    @AfterEach
    void stop() throws IOException {
        for (Pop3Client c : clients) {
            c.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(boolean implicitTls) throws IOException {
        server = ScriptedServer.withMessage("hi\r\n.\r\n");
        start(implicitTls, server.port());
    }

    private void start(boolean implicitTls, int upstreamPort) throws IOException {
        ProxyConfig.Builder b = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstreamPort)))
                .maxSessionsPerClient(CAP);
        if (implicitTls) {
            b.clientTls(TestCerts.get().clientTls());
        }
        ListenOptions options = ListenOptions.PLAIN.withProxyProtocol(ProxyProtocol.allowFrom("127.0.0.0/8"))
                .withImplicitTls(implicitTls);
        proxy = Pop3Proxy.create(b.build()).listen(new InetSocketAddress("127.0.0.1", 0), options);
    }

    /** Connects from loopback (the "balancer") and sends a header naming {@code realClient}. */
    private Pop3Client connect(byte[] header) throws IOException {
        Pop3Client c = new Pop3Client(proxy.port());
        clients.add(c);
        c.sendRaw(header);
        return c;
    }

    private static byte[] v1(String realClient) {
        return ("PROXY TCP4 " + realClient + " 192.0.2.1 40000 110\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v2(String realClient) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ProxyHeader.V2_SIGNATURE);
        b.write(0x21); // version 2, PROXY
        b.write(0x11); // TCP over IPv4
        b.write(0);
        b.write(12);
        b.writeBytes(InetAddress.getByName(realClient).getAddress());
        b.writeBytes(InetAddress.getByName("192.0.2.1").getAddress());
        b.writeBytes(new byte[] {(byte) 0x9c, 0x40, 0, 110});
        return b.toByteArray();
    }

    /** A LOCAL v2 header: the balancer's own connection (a health check), naming no client. */
    private static byte[] v2Local() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ProxyHeader.V2_SIGNATURE);
        b.write(0x20);
        b.write(0x00);
        b.write(0);
        b.write(0);
        return b.toByteArray();
    }

    private void awaitOpenSessions(int n) throws InterruptedException {
        OpenSessions.await(proxy, n, 5000);
        assertEquals(n, proxy.openSessions());
    }

    @Test
    void theRealClientIsCappedWhileAnotherStillGetsIn() throws Exception {
        start(false);
        Pop3Client first = connect(v1("203.0.113.7")).expect(GREETING);
        Pop3Client second = connect(v2("203.0.113.7")).expect(GREETING);

        connect(v2("203.0.113.7")).expect(REFUSAL).expectClosed();
        connect(v1("203.0.113.7")).expect(REFUSAL).expectClosed();
        connect(v1("198.51.100.9")).expect(GREETING);
        connect(v2("198.51.100.10")).expect(GREETING);
        // The balancer's own connections name no client and are not counted against anyone.
        for (int i = 0; i <= CAP; i++) {
            connect(v2Local()).expect(GREETING);
        }
        awaitOpenSessions(4 + CAP + 1);

        // One session ends with QUIT, one with a dropped connection: both give their count back.
        first.send("QUIT").expect("+OK bye");
        second.close();
        awaitOpenSessions(2 + CAP + 1);
        connect(v2("203.0.113.7")).expect(GREETING);
        connect(v1("203.0.113.7")).expect(GREETING);
        connect(v1("203.0.113.7")).expect(REFUSAL).expectClosed();
    }

    @Test
    void failedSessionsGiveTheirCountBackToo() throws Exception {
        int refusing;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = s.getLocalPort();
        }
        start(false, refusing);
        for (int round = 0; round <= CAP; round++) {
            // The server refuses the connection: the proxy ends the session with a failure.
            Pop3Client c = connect(v1("203.0.113.7")).expect(GREETING);
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
            awaitOpenSessions(0);
        }
        for (int i = 0; i < CAP; i++) {
            connect(v1("203.0.113.7")).expect(GREETING);
        }
        connect(v1("203.0.113.7")).expect(REFUSAL).expectClosed();
    }

    @Test
    void overTheCapTheRefusalComesBeforeTheTlsHandshake() throws Exception {
        start(true);
        for (int i = 0; i < CAP; i++) {
            Pop3Client c = connect(v1("203.0.113.7"));
            c.startTls(TestCerts.trusting(TestCerts.get().cert));
            c.expect(GREETING);
        }
        connect(v1("203.0.113.7")).expect(REFUSAL).expectClosed();
        Pop3Client other = connect(v1("198.51.100.9"));
        other.startTls(TestCerts.trusting(TestCerts.get().cert));
        other.expect(GREETING);
        assertTrue(proxy.openSessions() >= CAP + 1);
    }
}
