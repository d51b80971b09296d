package org.pop3proxy.engine;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.LoginRecord;
import org.pop3proxy.api.LoginRecorder;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waits with no timeout of their own (TLS writes, handshakes) are bounded; found in review. */
class DeadlinesTest {
    private static final String BIG = ("x".repeat(998) + "\r\n").repeat(60_000) + ".\r\n";

    private static ProxyConfig config(int upstreamPort, Duration timeout) throws Exception {
        return ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstreamPort)))
                .clientTls(TestCerts.get().clientTls()).timeout(timeout).build();
    }

    @Test
    void tlsClientThatStopsReadingIsCutAndOtherSessionsKeepTheirDeadline() throws Exception {
        TestCerts certs = TestCerts.get();
        // -t bounds the TLS handshake too: 2 s leaves room for one on a loaded machine (500 ms
        // did not, now and then), and still cuts the stuck writer well within the test's wait.
        try (ScriptedServer upstream = ScriptedServer.withMessage(BIG);
             ScriptedServer upstream2 = ScriptedServer.withMessage(BIG);
             ProxyServer tlsProxy = Pop3Proxy.create(config(upstream.port(), Duration.ofMillis(2000)))
                     .listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.PLAIN.withImplicitTls(true));
             ProxyServer plainProxy = Pop3Proxy.create(config(upstream2.port(), Duration.ofMillis(500)))
                     .listen(new InetSocketAddress("127.0.0.1", 0));
             Pop3Client c = Pop3Client.implicit(tlsProxy.port(), TestCerts.trusting(certs.cert))) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS pw").expect("+OK");
            c.send("RETR 1"); // and never read again
            assertTrue(upstream.awaitClientClosed(), "a TLS session that stopped reading must be cut");
            try (Socket s = new Socket("127.0.0.1", plainProxy.port())) {
                s.setReceiveBufferSize(4096);
                s.getOutputStream().write("USER bob\r\nPASS pw\r\nRETR 1\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(upstream2.awaitClientClosed(), "deadlines must still work for everyone else");
            }
            assertFalse(upstream.received.contains("QUIT"));
        }
    }

    @Test
    void aClientTricklingItsTlsHelloIsCutAtTheDeadline() throws Exception {
        TestCerts certs = TestCerts.get();
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", 9)))
                .clientTls(certs.clientTls()).timeout(Duration.ofMillis(400))
                .authorizationTimeout(Duration.ofMillis(400)).build();
        SSLEngine engine = TestCerts.trusting(certs.cert).createSSLEngine("localhost", 995);
        engine.setUseClientMode(true);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        try (ProxyServer proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0),
                ListenOptions.PLAIN.withImplicitTls(true));
             Socket s = new Socket("127.0.0.1", proxy.port())) {
            OutputStream out = s.getOutputStream();
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            boolean cut = false;
            // One byte every 200 ms keeps each read under -t; only a deadline on the whole
            // handshake ends it. Pacing the client is the point here, not synchronisation.
            while (!cut && System.nanoTime() < end && hello.hasRemaining()) {
                try {
                    out.write(hello.get());
                    out.flush();
                } catch (java.io.IOException e) {
                    cut = true;
                }
                Thread.sleep(200);
                cut |= proxy.openSessions() == 0;
            }
            assertTrue(cut, "the handshake was not bounded as a whole");
        }
    }

    @Test
    void theQuitRecordCarriesTheQuitTime() throws Exception {
        List<LoginRecord> records = new CopyOnWriteArrayList<>();
        LoginRecorder recorder = new LoginRecorder() {
            @Override
            public void loggedIn(LoginRecord r) {
                records.add(r);
            }

            @Override
            public void quit(LoginRecord r) {
                records.add(r);
            }
        };
        Instant beforeQuit;
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n");
             ProxyServer proxy = Pop3Proxy.create(ProxyConfig.builder(
                     ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))
                     .loginRecorder(recorder).build()).listen(new InetSocketAddress("127.0.0.1", 0));
             Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS pw").expect("+OK");
            beforeQuit = Instant.now();
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(2, records.size());
        assertTrue(records.get(0).time().isBefore(beforeQuit));
        assertFalse(records.get(1).time().isBefore(beforeQuit), "the QUIT record must not reuse the login time");
    }
}
