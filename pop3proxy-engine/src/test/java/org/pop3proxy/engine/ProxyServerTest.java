package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.LoginRecorder;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyServerTest {
    private static Pop3Proxy proxyFor(ScriptedServer upstream) {
        return Pop3Proxy.create(ProxyConfig.builder(
                ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port()))).build());
    }

    @Test
    void servesSessionsConcurrentlyAndIndependently() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage("hello\r\n.\r\n");
             ProxyServer server = proxyFor(upstream).listen(new InetSocketAddress("127.0.0.1", 0))) {
            List<Pop3Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Pop3Client c = new Pop3Client(server.port());
                    clients.add(c);
                    c.expect("+OK POP3 proxy ready");
                }
                // A broken session in the middle of the others.
                clients.get(10).sendRaw(new byte[] {0, 0, 0, '\n'}).expect("-ERR invalid character in command");
                clients.get(10).close();
                for (int i = 0; i < 20; i++) {
                    if (i == 10) {
                        continue;
                    }
                    Pop3Client c = clients.get(i);
                    c.send("USER u" + i).expect("+OK password required");
                    c.send("PASS p").expect("+OK");
                    c.send("RETR 1").expect("+OK message follows");
                    c.expect("hello");
                    c.expect(".");
                }
            } finally {
                for (Pop3Client c : clients) {
                    c.close();
                }
            }
        }
    }

    /**
     * A listener bound to one address hands its sessions that address without asking the socket;
     * one bound to the wildcard asks each accepted socket which of its addresses was dialled.
     */
    @Test
    void sessionsSeeTheAddressTheClientDialled() throws Exception {
        for (String listen : List.of("127.0.0.1", "0.0.0.0")) {
            List<ClientInfo> started = new CopyOnWriteArrayList<>();
            LoginRecorder recorder = new LoginRecorder() {
                @Override
                public void sessionStarted(ClientInfo client) {
                    started.add(client);
                }
            };
            try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n");
                 ProxyServer server = Pop3Proxy.create(ProxyConfig.builder(
                                 ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))
                                 .loginRecorder(recorder).build())
                         .listen(new InetSocketAddress(listen, 0));
                 Pop3Client c = new Pop3Client(server.port())) {
                c.expect("+OK POP3 proxy ready");
                assertEquals(1, started.size(), listen);
                assertEquals(new InetSocketAddress("127.0.0.1", server.port()), started.get(0).local(), listen);
                assertEquals(c.localPort(), started.get(0).remote().getPort(), listen);
            }
        }
    }

    @Test
    void closingTheServerCutsOpenSessionsWithoutAQuit() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n")) {
            ProxyServer server = proxyFor(upstream).listen(new InetSocketAddress("127.0.0.1", 0));
            try (Pop3Client c = new Pop3Client(server.port())) {
                c.expect("+OK POP3 proxy ready");
                c.send("USER bob").expect("+OK password required");
                c.send("PASS pw").expect("+OK");
                c.send("DELE 1").expect("+OK");
                assertEquals(1, server.openSessions());
                assertTrue(server.close(5, TimeUnit.SECONDS), "sessions must end when the server closes");
                c.expectClosed();
            }
            assertTrue(upstream.awaitClientClosed());
            assertFalse(upstream.received.contains("QUIT"));
            assertEquals(0, server.openSessions());
        }
    }

    @Test
    void portZeroBindsAFreePort() throws IOException {
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n");
             ProxyServer server = proxyFor(upstream).bind(new InetSocketAddress("127.0.0.1", 0))) {
            assertTrue(server.port() > 0);
            assertEquals(server.port(), server.localAddress().getPort());
        }
    }
}
