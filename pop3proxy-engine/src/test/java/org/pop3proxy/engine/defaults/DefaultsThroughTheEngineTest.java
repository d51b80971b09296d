package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.AccessController;
import org.pop3proxy.api.LoginRecorder;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

/**
 * The defaults wired into the real engine, against GreenMail: allow-list bypass attempts reach no
 * server outside the list (a second listener counts connections), the ACP sees the proxy login
 * and its denial reaches the client, and the login file is written.
 */
class DefaultsThroughTheEngineTest {
    @TempDir
    Path dir;

    GreenMail greenMail;
    int allowedPort;
    ServerSocket outside;
    final AtomicInteger outsideConnections = new AtomicInteger();
    final Semaphore outsideAccepted = new Semaphore(0);
    Thread acceptor;
    final List<ProxyServer> proxies = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        greenMail.setUser("bob@example.org", "bob", "secret");
        allowedPort = greenMail.getPop3().getPort();
        outside = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(() -> {
            while (true) {
                try (Socket s = outside.accept()) {
                    outsideConnections.incrementAndGet();
                    outsideAccepted.release();
                } catch (IOException e) {
                    return;
                }
            }
        }, "outside-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (ProxyServer p : proxies) {
            p.close();
        }
        outside.close();
        greenMail.stop();
    }

    int proxy(ManualServerSelector selector, AccessController acp, LoginRecorder recorder) throws IOException {
        ProxyConfig config = ProxyConfig.builder(selector).accessController(acp).loginRecorder(recorder)
                .timeout(Duration.ofSeconds(20)).build();
        ProxyServer server = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
        proxies.add(server);
        return server.port();
    }

    /** Logs in through the proxy and returns every line the client received. */
    static List<String> login(int port, String user, String password, boolean quit) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            lines.add(in.readLine());
            out.write(("USER " + user + "\r\nPASS " + password + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            lines.add(in.readLine());
            String line = in.readLine();
            lines.add(line);
            if (line != null && line.startsWith("+OK") && quit) {
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            for (String l; (l = in.readLine()) != null; ) {
                lines.add(l);
                if (!quit) {
                    break;
                }
            }
        }
        return lines;
    }

    @Test
    void bypassAttemptsReachNoServerOutsideTheList() throws Exception {
        int p2 = outside.getLocalPort();
        ManualServerSelector selector = ManualServerSelector.builder().clientSelection(true).delimiters("@%")
                .serverList("127.0.0.1:" + allowedPort).build();
        int port = proxy(selector, AccessController.ALLOW_ALL, LoginRecorder.NONE);
        List<String> attempts = List.of(
                "bob@127.0.0.1:" + p2, "bob@127.0.0.1:" + allowedPort + "@127.0.0.1:" + p2,
                "bob@127.0.0.1:" + p2 + "%127.0.0.1:" + allowedPort + "x", "bob%127.0.0.1:" + p2,
                "bob@127.1:" + p2, "bob@2130706433:" + p2, "bob@0x7f.1:" + p2, "bob@0177.0.0.1:" + p2,
                "bob@127.0.0.1.:" + p2, "bob@[::ffff:127.0.0.1]:" + p2, "bob@[::ffff:7f00:1]:" + p2,
                "bob@localhost:" + p2, "bob@LOCALHOST:" + p2, "bob@127.0.0.1:" + allowedPort + ":" + p2,
                "bob@127.0.0.1:0" + p2, "bob@127.0.0.1", "bob@127.0.0.1:" + allowedPort + ".",
                "bob@127.000.000.001:" + allowedPort, "bob@127.0.0.1 :" + p2, "bob", "@127.0.0.1:" + p2);
        for (String user : attempts) {
            List<String> lines = login(port, user, "secret", false);
            assertEquals("-ERR bad login", lines.get(2), user + " -> " + lines);
        }
        assertEquals("+OK", login(port, "bob@127.0.0.1:" + allowedPort, "secret", true).get(2).substring(0, 3));
        try (Socket sentinel = new Socket("127.0.0.1", p2)) {
            assertTrue(outsideAccepted.tryAcquire(10, TimeUnit.SECONDS));
        }
        assertEquals(1, outsideConnections.get(), "connections to the server outside the list");
    }

    @Test
    void theAcpSeesTheProxyLoginAndTheServerOnlyTheRest() throws Exception {
        Path env = dir.resolve("env");
        Path acp = dir.resolve("acp.sh");
        Files.writeString(acp, "#!/bin/sh\nprintf '%s|%s|%s|%s|%s\\n' \"$PROXY_USERNAME\" \"$PROXY_PASSWD\" "
                + "\"$PROXY_SERVERLOGIN\" \"$PROXY_SERVER\" \"$PROXY_SERVERPORT\" > " + env + "\n"
                + "[ \"$PROXY_PASSWD\" = ppass ] && exit 0\necho '-ERR proxy password wrong'\nexit 1\n");
        Files.setPosixFilePermissions(acp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path logins = Files.createDirectory(dir.resolve("logins"));
        int port = proxy(ManualServerSelector.builder().clientSelection(true).build(),
                ProgramAccessController.builder(acp.toString()).timeout(Duration.ofSeconds(10)).build(),
                LoginFiles.in(logins));

        List<String> ok = login(port, "puser:bob@127.0.0.1:" + allowedPort, "ppass:secret", true);
        assertTrue(ok.get(2).startsWith("+OK"), ok.toString());
        assertEquals("puser|ppass|bob|127.0.0.1|" + allowedPort, Files.readString(env).strip());
        String record = Files.readString(logins.resolve("127.0.0.1"));
        assertTrue(record.matches("\\d+ 127\\.0\\.0\\.1 bob 127\\.0\\.0\\.1:" + allowedPort + "\n"), record);

        List<String> denied = login(port, "puser:bob@127.0.0.1:" + allowedPort, "wrong:secret", false);
        assertEquals("-ERR proxy password wrong", denied.get(2), denied.toString());
        assertFalse(Files.exists(logins.resolve("127.0.0.1")), "login file removed at session start");
    }
}
