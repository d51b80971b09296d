package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS options and the session limits through the real launcher, with curl as the client;
 * the key is readable by root only, so serving over TLS as nobody proves that it was read before
 * the drop.
 */
@EnabledIfSystemProperty(named = "pop3proxy.launcher-tests", matches = "true",
        disabledReason = "needs the packaged jar: runs in the integration-test phase of mvn verify")
class TlsIT {
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static Upstream upstream;

    @TempDir
    Path dir;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = new Upstream();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    /** Writes a fresh self-signed certificate for 127.0.0.1 as {@code name}.crt and a PKCS#8 {@code name}.key. */
    private Path[] certificate(Path in, String name) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
        Path cert = in.resolve(name + ".crt");
        Path key = in.resolve(name + ".key");
        Launcher.Result r = Launcher.run(List.of(OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost", "-days", "2",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"), dir);
        assertEquals(0, r.exitCode(), r.err());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return new Path[] {cert, key};
    }

    private Launcher.Result curl(String url, Path ca, String... more) throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        List<String> cmd = new java.util.ArrayList<>(List.of(CURL.toString(), "-s", "-S", "--max-time", "20",
                "--cacert", ca.toString(), url, "-u", Upstream.USER + ":" + Upstream.PASSWORD));
        cmd.addAll(List.of(more));
        return Launcher.run(cmd, dir);
    }

    @Test
    void stlsInDaemonModeAndSighupLoadsARenewedCertificate() throws Exception {
        Path certs = Launcher.sharedDir(dir, "certs");
        Path[] old = certificate(certs, "old");
        try (Daemon d = Daemon.start(dir, "--tls-cert", old[0].toString(), "--tls-key", old[1].toString(),
                upstream.server())) {
            try (Pop3Script c = new Pop3Script(d.port())) {
                c.expect("+OK POP3 proxy ready");
                c.send("CAPA").expect("+OK Capability list follows");
                String capa = new String(c.readBody(), java.nio.charset.StandardCharsets.US_ASCII);
                assertTrue(capa.contains("STLS\r\n"), capa);
            }
            Launcher.Result ok = curl("pop3://127.0.0.1:" + d.port() + "/1", old[0], "--ssl-reqd");
            assertEquals(0, ok.exitCode(), ok.err());
            assertArrayEquals(upstream.message(), ok.out());

            // Renewed in place, readable by the user the daemon runs as now (docs/TLS.md).
            Path[] renewed = certificate(Launcher.sharedDir(dir, "new"), "renewed");
            Files.setPosixFilePermissions(renewed[1], PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(renewed[0], old[0], StandardCopyOption.REPLACE_EXISTING);
            Files.move(renewed[1], old[1], StandardCopyOption.REPLACE_EXISTING);
            Path newCa = Files.copy(old[0], dir.resolve("new-ca.crt"));
            assertEquals(0, Launcher.run(List.of("kill", "-HUP", Long.toString(d.pid())), dir).exitCode());
            d.await(Pattern.compile("SIGHUP: reloaded the TLS certificate"));
            Launcher.Result renewedOk = curl("pop3://127.0.0.1:" + d.port() + "/1", newCa, "--ssl-reqd");
            assertEquals(0, renewedOk.exitCode(), renewedOk.err());
            assertArrayEquals(upstream.message(), renewedOk.out());
            assertTrue(d.process().isAlive(), "SIGHUP does not end the daemon");
        }
    }

    @Test
    void pop3sInDaemonAndInetdMode() throws Exception {
        Path[] cert = certificate(Launcher.sharedDir(dir, "certs"), "c");
        try (Daemon d = Daemon.start(dir, "--pop3s", "--tls-cert", cert[0].toString(), "--tls-key",
                cert[1].toString(), upstream.server())) {
            Launcher.Result r = curl("pop3s://127.0.0.1:" + d.port() + "/1", cert[0]);
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(upstream.message(), r.out());
        }
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                "--syslog-socket", dir.resolve("no-syslog").toString(), "--pop3s", "--tls-cert", cert[0].toString(),
                "--tls-key", cert[1].toString(), upstream.server());
        Launcher.Result r = curl("pop3s://127.0.0.1:" + proxy.port() + "/1", cert[0]);
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(upstream.message(), r.out());
        assertEquals(0, proxy.exitCode());
    }

    @Test
    void aBadKeyIsExit1AtStartUpWithAMessageNamingTheFile() throws Exception {
        Path certs = Launcher.sharedDir(dir, "certs");
        Path[] cert = certificate(certs, "c");
        Path bad = Files.writeString(certs.resolve("bad.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n");
        for (List<String> mode : List.of(List.of("-d", "-DD", "127.0.0.1:0"), List.of("-DD", "127.0.0.1:0"))) {
            List<String> cmd = new java.util.ArrayList<>(List.of(Launcher.script().toString()));
            cmd.addAll(mode);
            cmd.addAll(List.of("--syslog-socket", dir.resolve("no-syslog").toString(), "--tls-cert", cert[0].toString(),
                    "--tls-key", bad.toString(), upstream.server()));
            Launcher.Result r = Launcher.run(cmd, dir);
            assertEquals(1, r.exitCode(), mode + ": " + r.err());
            assertTrue(r.err().contains(bad.toString()), mode + ": " + r.err());
            assertTrue(!r.err().contains("listening"), r.err());
        }
    }

    @Test
    void aSecondSessionFromOneClientIsRefusedWithMaxSessionsPerClient1() throws Exception {
        try (Daemon d = Daemon.start(dir, "--max-sessions-per-client", "1", upstream.server());
                Pop3Script first = new Pop3Script(d.port())) {
            first.expect("+OK POP3 proxy ready");
            try (Pop3Script second = new Pop3Script(d.port())) {
                second.expect("-ERR too many connections, try again later");
                second.expectClosed();
            }
            first.send("USER " + Upstream.USER).expect("+OK password required");
            first.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
            first.send("QUIT").expectStartsWith("+OK");
            first.expectClosed();
            assertNotEquals(-1, d.log().indexOf("limit of 1 sessions per client reached"), d.log());
        }
    }
}
