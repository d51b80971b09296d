package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dovecot (Debian's dovecot-pop3d) as the real upstream, with STLS and POP3S, started from a
 * private configuration on free ports as a child process of the test.
 */
class DovecotUpstreamTest {
    private static final Path BINARY = Path.of("/usr/sbin/dovecot");

    @TempDir
    static Path dir;
    private static Process dovecot;
    private static int pop3Port;
    private static int pop3sPort;
    private ProxyServer proxy;

    @BeforeAll
    static void startDovecot() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "dovecot not installed (Debian package dovecot-pop3d)");
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/lib/dovecot/pop3")), "dovecot-pop3d not installed");
        boolean root = "root".equals(System.getProperty("user.name"));
        String me = System.getProperty("user.name");
        String internal = root ? "dovecot" : me;
        String login = root ? "dovenull" : me;
        TestCerts certs = TestCerts.get();
        pop3Port = freePort();
        pop3sPort = freePort();
        Path home = dir.resolve("home");
        Path maildir = home.resolve("bob/Maildir");
        for (String sub : new String[] {"new", "cur", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        Files.writeString(maildir.resolve("new/1.test"), "Subject: from dovecot\r\n\r\nhello dovecot\r\n");
        Files.copy(certs.cert, dir.resolve("cert.pem"));
        Files.copy(certs.key, dir.resolve("key.pem"));
        String chroot = root ? "" : "  chroot =\n";
        Files.writeString(dir.resolve("dovecot.conf"), String.join("\n",
                "base_dir = " + dir.resolve("run"),
                "state_dir = " + dir.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "instance_name = pop3proxy-test-" + pop3Port,
                "protocols = pop3",
                "listen = 127.0.0.1",
                "ssl = yes",
                "ssl_cert = <" + dir.resolve("cert.pem"),
                "ssl_key = <" + dir.resolve("key.pem"),
                "disable_plaintext_auth = no",
                "auth_mechanisms = plain",
                "first_valid_uid = 1",
                "default_internal_user = " + internal,
                "default_internal_group = " + internal,
                "default_login_user = " + login,
                "passdb {", "  driver = static", "  args = password=secret", "}",
                "userdb {", "  driver = static", "  args = uid=" + internal + " gid=" + internal + " home=" + home + "/%u", "}",
                "mail_location = maildir:~/Maildir",
                "service pop3-login {", chroot,
                "  inet_listener pop3 {", "    port = " + pop3Port, "  }",
                "  inet_listener pop3s {", "    port = " + pop3sPort, "    ssl = yes", "  }",
                "}",
                "service anvil {", chroot, "}",
                "service imap-login {", "  inet_listener imap {", "    port = 0", "  }",
                "  inet_listener imaps {", "    port = 0", "  }", "}",
                ""));
        if (root) {
            run("chmod", "755", dir.toString());
            run("chown", "-R", internal + ":" + internal, home.toString());
        }
        dovecot = new ProcessBuilder(BINARY.toString(), "-F", "-c", dir.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dovecot.out").toFile()).start();
        awaitListening(pop3Port);
        awaitListening(pop3sPort);
    }

    @AfterAll
    static void stopDovecot() throws Exception {
        if (dovecot != null) {
            dovecot.destroy();
            dovecot.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stopProxy() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                assertTrue(dovecot.isAlive(), () -> "dovecot died: " + log());
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("dovecot not listening on " + port + ": " + log());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("dovecot.out")) + Files.readString(dir.resolve("dovecot.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private Pop3Client proxyTo(String host, int port, UpstreamTls tls) throws IOException {
        proxy = Pop3Proxy.create(ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of(host, port)))
                .upstreamTls(tls).build()).listen(new InetSocketAddress("127.0.0.1", 0));
        Pop3Client c = new Pop3Client(proxy.port());
        c.expect("+OK POP3 proxy ready");
        c.send("USER bob").expect("+OK password required");
        return c;
    }

    private static void fetch(Pop3Client c) throws IOException {
        c.send("PASS secret").expectStartsWith("+OK");
        c.send("RETR 1").expectStartsWith("+OK");
        String body = new String(c.readBody(), StandardCharsets.ISO_8859_1);
        assertTrue(body.contains("hello dovecot"), body);
        c.send("QUIT").expectStartsWith("+OK");
    }

    @Test
    void stlsWithDovecotVerifiedByCaFile() throws Exception {
        try (Pop3Client c = proxyTo("127.0.0.1", pop3Port, UpstreamTls.stls(UpstreamTls.Trust.caFile(TestCerts.get().cert)))) {
            fetch(c);
        }
    }

    @Test
    void pop3sWithDovecotVerifiedByCaFileAndHostName() throws Exception {
        try (Pop3Client c = proxyTo("localhost", pop3sPort, UpstreamTls.implicit(UpstreamTls.Trust.caFile(TestCerts.get().cert)))) {
            fetch(c);
        }
    }

    @Test
    void dovecotsPrivateCertificateFailsTheSystemTrust() throws Exception {
        try (Pop3Client c = proxyTo("127.0.0.1", pop3Port, UpstreamTls.stls(UpstreamTls.Trust.system()))) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
    }
}
