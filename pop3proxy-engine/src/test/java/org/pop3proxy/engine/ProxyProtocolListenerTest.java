package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.AccessDecision;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.LoginRecord;
import org.pop3proxy.api.LoginRecorder;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PROXY protocol on a listener: the header's client is the session's client everywhere. */
class ProxyProtocolListenerTest {
    private final List<ClientInfo> accessClients = new CopyOnWriteArrayList<>();
    private final List<ClientInfo> loginClients = new CopyOnWriteArrayList<>();
    private final List<ClientInfo> startedClients = new CopyOnWriteArrayList<>();
    private ScriptedServer server;
    private ProxyServer proxy;
    private Process haproxy;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(5, TimeUnit.SECONDS);
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private ProxyServer start(ListenOptions options) throws IOException {
        server = ScriptedServer.withMessage("hi\r\n.\r\n");
        LoginRecorder recorder = new LoginRecorder() {
            @Override
            public void sessionStarted(ClientInfo client) {
                startedClients.add(client);
            }

            @Override
            public void loggedIn(LoginRecord record) {
                loginClients.add(record.client());
            }
        };
        ProxyConfig.Builder b = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", server.port())))
                .accessController(request -> {
                    accessClients.add(request.client());
                    return AccessDecision.allow();
                })
                .loginRecorder(recorder);
        if (options.implicitTls()) {
            b.clientTls(TestCerts.get().clientTls());
        }
        proxy = Pop3Proxy.create(b.build()).listen(new InetSocketAddress("127.0.0.1", 0), options);
        return proxy;
    }

    private static ListenOptions fromLoopback() {
        return ListenOptions.PLAIN.withProxyProtocol(ProxyProtocol.allowFrom("127.0.0.0/8, ::1"));
    }

    private static void login(Pop3Client c) throws IOException {
        c.expect("+OK POP3 proxy ready");
        c.send("USER bob").expect("+OK password required");
        c.send("PASS secret").expect("+OK");
        c.send("QUIT").expect("+OK bye");
    }

    @Test
    void aV1HeaderSentTogetherWithTheFirstCommandNamesTheClient() throws Exception {
        start(fromLoopback());
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.sendRaw("PROXY TCP4 203.0.113.7 192.0.2.1 56324 110\r\n".getBytes(StandardCharsets.US_ASCII));
            login(c);
        }
        ClientInfo expected = new ClientInfo(new InetSocketAddress("192.0.2.1", 110),
                new InetSocketAddress("203.0.113.7", 56324));
        assertEquals(List.of(expected), accessClients);
        assertEquals(List.of(expected), loginClients);
        assertEquals(List.of(expected), startedClients);
    }

    @Test
    void aPeerNotInTheListIsClosedWithoutAGreeting() throws Exception {
        start(ListenOptions.PLAIN.withProxyProtocol(ProxyProtocol.allowFrom("10.0.0.0/8")));
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.sendRaw("PROXY TCP4 203.0.113.7 192.0.2.1 56324 110\r\n".getBytes(StandardCharsets.US_ASCII));
            c.expectClosed();
        }
        assertTrue(startedClients.isEmpty());
    }

    @Test
    void aMalformedHeaderClosesWithoutAGreeting() throws Exception {
        start(fromLoopback());
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.send("USER bob");
            c.expectClosed();
        }
        assertTrue(startedClients.isEmpty());
    }

    @Test
    void theHeaderComesBeforeImplicitTls() throws Exception {
        start(fromLoopback().withImplicitTls(true));
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.sendRaw("PROXY TCP6 2001:db8::7 2001:db8::1 4000 995\r\n".getBytes(StandardCharsets.US_ASCII));
            c.startTls(TestCerts.trusting(TestCerts.get().cert));
            login(c);
        }
        assertEquals(InetAddress.getByName("2001:db8::7"), accessClients.get(0).remote().getAddress());
        assertEquals(995, accessClients.get(0).local().getPort());
    }

    @Test
    void behindARealHaproxyWithV1AndV2() throws Exception {
        start(fromLoopback());
        int[] ports = startHaproxy(proxy.port());
        accessClients.clear();
        for (int port : ports) {
            try (Pop3Client c = new Pop3Client(port)) {
                int clientPort = c.localPort();
                login(c);
                ClientInfo seen = accessClients.get(accessClients.size() - 1);
                assertEquals("127.0.0.1", seen.clientAddress());
                assertEquals(clientPort, seen.remote().getPort(), "the client's own port, not haproxy's");
                assertEquals(port, seen.local().getPort(), "the address the client dialled, not the proxy's");
            }
        }
        assertEquals(2, accessClients.size());
    }

    /**
     * The real client behind HAProxy, as the default access control program and the -l files
     * see it: the client connects from 127.0.0.2, HAProxy from 127.0.0.1.
     */
    @Test
    void behindARealHaproxyTheAcpEnvironmentAndTheLoginFileNameTheRealClient() throws Exception {
        server = ScriptedServer.withMessage("hi\r\n.\r\n");
        Path envs = Files.createDirectory(tmp.resolve("envs"));
        Path logins = Files.createDirectory(tmp.resolve("logins"));
        Path acp = tmp.resolve("acp.sh");
        Files.writeString(acp, "#!/bin/sh\nenv > " + envs + "/$PROXY_PORT.env\nexit 0\n");
        Files.setPosixFilePermissions(acp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", server.port())))
                .accessController(org.pop3proxy.engine.defaults.ProgramAccessController.builder(acp.toString()).build())
                .loginRecorder(org.pop3proxy.engine.defaults.LoginFiles.in(logins))
                .build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0), fromLoopback());
        int[] ports = startHaproxy(proxy.port());
        for (int port : ports) {
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(5000);
                java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                java.io.OutputStream out = s.getOutputStream();
                assertEquals("+OK POP3 proxy ready", in.readLine());
                out.write("USER bob\r\nPASS secret\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("+OK password required", in.readLine());
                assertEquals("+OK", in.readLine());
                String env = Files.readString(envs.resolve(port + ".env"));
                assertTrue(env.contains("PROXY_CLIENT=127.0.0.2\n"), env);
                assertTrue(env.contains("PROXY_INTERFACE=127.0.0.1\n"), env);
                assertTrue(env.contains("PROXY_PORT=" + port + "\n"), "the port the client dialled: " + env);
                String record = Files.readString(logins.resolve("127.0.0.2"));
                assertTrue(record.matches("[0-9]+ 127\\.0\\.0\\.2 bob 127\\.0\\.0\\.1:[0-9]+\n"), record);
                assertTrue(Files.notExists(logins.resolve("127.0.0.1")), "never the balancer's address");
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(in.readLine().startsWith("+OK"));
            }
        }
    }

    /** Starts HAProxy in front of {@code proxyPort}; returns its v1 and v2 listening ports. */
    private int[] startHaproxy(int proxyPort) throws Exception {
        Path binary = Path.of("/usr/sbin/haproxy");
        Assumptions.assumeTrue(Files.isExecutable(binary), "haproxy not installed (Debian package haproxy)");
        int v1 = freePort();
        int v2 = freePort();
        Path cfg = tmp.resolve("haproxy.cfg");
        Files.writeString(cfg, String.join("\n",
                "global",
                "  maxconn 100",
                "defaults",
                "  mode tcp",
                "  timeout connect 5s",
                "  timeout client 30s",
                "  timeout server 30s",
                "listen v1",
                "  bind 127.0.0.1:" + v1,
                "  server pop3proxy 127.0.0.1:" + proxyPort + " send-proxy",
                "listen v2",
                "  bind 127.0.0.1:" + v2,
                "  server pop3proxy 127.0.0.1:" + proxyPort + " send-proxy-v2",
                ""));
        haproxy = new ProcessBuilder(binary.toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("haproxy.log").toFile()).start();
        awaitListening(v1);
        awaitListening(v2);
        return new int[] {v1, v2};
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls until haproxy accepts on {@code port}, for at most 10 s. */
    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                probe.setSoTimeout(5000);
                // A probe through haproxy reaches the proxy, which greets it once the header is read.
                assertTrue(probe.getInputStream().read() >= 0);
                return;
            } catch (IOException notYet) {
                assertTrue(haproxy.isAlive(), () -> "haproxy died: " + log());
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("haproxy not listening on " + port + ": " + log());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("haproxy.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
