package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** {@code -z} and its long options through the real launcher, with a real clamd that knows EICAR. */
@EnabledIfSystemProperty(named = "pop3proxy.launcher-tests", matches = "true",
        disabledReason = "needs the packaged jar: runs in the integration-test phase of mvn verify")
class ScanningIT {
    private static final String INFECTED = "Subject: an attachment for you\r\nFrom: mallory@example.org\r\n"
            + "To: bob@example.org\r\n\r\n" + Clamd.eicar() + "\r\n";

    private static Clamd clamd;
    private static Upstream upstream;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        clamd = Clamd.start();
        upstream = new Upstream(Upstream.MESSAGE, INFECTED);
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        if (clamd != null) {
            clamd.close();
        }
    }

    private String[] args(Path spool, String clamdAddress) {
        return new String[] {"--syslog-socket", dir.resolve("no-syslog").toString(), "-z", "--clamd", clamdAddress,
                "--spool-dir", spool.toString(), "--max-scan-size", "1M", upstream.server()};
    }

    /** Fetches both messages: the clean one with the scan header and its exact body, EICAR as a notice. */
    private static void fetchBoth(int port) throws IOException {
        try (Pop3Script c = new Pop3Script(port)) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + Upstream.USER).expect("+OK password required");
            c.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
            c.send("RETR 1").expectStartsWith("+OK");
            String scanned = c.line();
            assertTrue(scanned.startsWith("X-Proxy-Scanned: pop3proxy; ") && scanned.contains("ClamAV"), scanned);
            assertArrayEquals(upstream.retrBody(), c.readBody(), "the clean message byte for byte");
            c.send("RETR 2").expectStartsWith("+OK");
            String notice = new String(c.readBody(), StandardCharsets.ISO_8859_1);
            assertTrue(notice.contains("Subject: [virus removed] Eicar-Test-Signature"), notice);
            assertFalse(notice.contains("EICAR-STANDARD"), "the virus itself is not delivered: " + notice);
            assertTrue(notice.contains("mallory@example.org"), "the original's headers are quoted: " + notice);
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
    }

    private static void assertEmpty(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            assertEquals(List.of(), files.toList(), "spool files left behind");
        }
    }

    @Test
    void inetdScansEveryRetr() throws Exception {
        Path spool = Launcher.sharedDir(dir, "spool");
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                args(spool, "127.0.0.1:" + clamd.port()));
        fetchBoth(proxy.port());
        assertEquals(0, proxy.exitCode());
        assertEmpty(spool);
    }

    @Test
    void daemonScansEveryRetr() throws Exception {
        Path spool = Launcher.sharedDir(dir, "spool");
        try (Daemon d = Daemon.start(dir, args(spool, "127.0.0.1:" + clamd.port()))) {
            fetchBoth(d.port());
            fetchBoth(d.port());
        }
        assertEmpty(spool);
    }

    @Test
    void withClamdDownTheClientGetsNoGreeting() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path spool = Launcher.sharedDir(dir, "spool");
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                args(spool, "127.0.0.1:" + closed));
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            c.expectClosed();
        }
        assertEquals(1, proxy.exitCode());
        try (Daemon d = Daemon.start(dir, args(spool, "127.0.0.1:" + closed))) {
            try (Pop3Script c = new Pop3Script(d.port())) {
                c.expectClosed();
            }
            assertTrue(d.log().contains("virus scanner not available"), d.log());
        }
    }
}
