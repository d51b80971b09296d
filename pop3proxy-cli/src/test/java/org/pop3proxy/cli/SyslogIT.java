package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Logging to a real rsyslogd that listens on a private socket, as syslog(3) would log. */
@EnabledIfSystemProperty(named = "pop3proxy.launcher-tests", matches = "true",
        disabledReason = "needs the packaged jar: runs in the integration-test phase of mvn verify")
class SyslogIT {
    private static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");
    private static Upstream upstream;

    @TempDir
    Path dir;
    private Process rsyslogd;
    private Path socket;
    private Path log;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = new Upstream();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void startRsyslogd() throws Exception {
        assumeTrue(Files.isExecutable(RSYSLOGD), "rsyslogd is not installed (Debian package rsyslog)");
        // Like /dev for /dev/log: started as root the proxy logs as nobody, which must reach the socket.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        socket = dir.resolve("log.sock");
        log = dir.resolve("out.log");
        Path conf = dir.resolve("rsyslog.conf");
        Files.writeString(conf, String.join("\n",
                "global(workDirectory=\"" + dir + "\")",
                "module(load=\"imuxsock\" SysSock.Use=\"off\")",
                "input(type=\"imuxsock\" Socket=\"" + socket + "\" RateLimit.Interval=\"0\")",
                "template(name=\"test\" type=\"string\" string=\"%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\\n\")",
                "*.* action(type=\"omfile\" file=\"" + log + "\" template=\"test\")",
                ""));
        rsyslogd = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", conf.toString(), "-i", dir.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            assertTrue(rsyslogd.isAlive(), () -> "rsyslogd exited: " + read(dir.resolve("rsyslogd.out")));
            assertTrue(System.nanoTime() < deadline, "rsyslogd did not create its socket");
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stopRsyslogd() throws Exception {
        if (rsyslogd != null) {
            rsyslogd.destroy();
            if (!rsyslogd.waitFor(10, TimeUnit.SECONDS)) {
                rsyslogd.destroyForcibly();
            }
        }
    }

    @Test
    void inetdSessionsLogToSyslogWithIdentPidAndFacilityMailButNeverAPassword() throws Exception {
        Launcher.Inetd good = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                "--syslog-socket", socket.toString(), upstream.server());
        try (Pop3Script c = new Pop3Script(good.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + Upstream.USER).expect("+OK password required");
            c.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
            c.send("XTND secret-in-an-unknown-command").expectStartsWith("-ERR");
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
        assertEquals(0, good.exitCode());
        String tag = "pop3.proxy[" + good.process().pid() + "]: ";
        String accepted = awaitLine("mail.info " + tag, "login accepted");

        Launcher.Inetd bad = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                "--syslog-socket", socket.toString(), upstream.server());
        try (Pop3Script c = new Pop3Script(bad.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + Upstream.USER).expect("+OK password required");
            c.send("PASS hunter2 with blanks").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(1, bad.exitCode());
        String refused = awaitLine("mail.warning pop3.proxy[" + bad.process().pid() + "]: ", "");

        String all = read(log);
        assertTrue(accepted.contains("session="), "the session id from the MDC: " + accepted);
        assertFalse(all.contains(Upstream.PASSWORD), all);
        assertFalse(all.contains("hunter2"), all);
        assertTrue(refused.startsWith("mail.warning"), refused);
    }

    @Test
    void aUsageErrorUnderInetdGoesToSyslogAndNotToTheSocket() throws Exception {
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir,
                Map.of(), "--syslog-socket", socket.toString(), "--pop3s", upstream.server());
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            c.expectClosed();
        }
        assertEquals(255, proxy.exitCode());
        awaitLine("mail.err pop3.proxy[" + proxy.process().pid() + "]: ", "option --pop3s needs --tls-cert and --tls-key");
    }

    @Test
    void aConfigurationFailureAfterTheGreetingIsToldInPop3AndWhyInSyslog() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a pem file\n");
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                "--syslog-socket", socket.toString(), "--tls-cert", junk.toString(), "--tls-key", junk.toString(),
                upstream.server());
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            // Greeted once the command line has been read, before the certificate is; the reason is
            // for the log only.
            c.expect("+OK POP3 proxy ready");
            c.expect(Main.UNAVAILABLE);
            c.expectClosed();
        }
        assertEquals(1, proxy.exitCode());
        String line = awaitLine("mail.err pop3.proxy[" + proxy.process().pid() + "]: ", "TLS: ");
        assertTrue(line.contains(junk.toString()), line);
    }

    @Test
    void anUnknownUserUnderInetdGoesToSyslogAndNotToTheSocket() throws Exception {
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "only root changes its user");
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir,
                Map.of(), "--syslog-socket", socket.toString(), "-u", "no-such-user-here", upstream.server());
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            // Greeted before the change of user; the reason is for the log only.
            c.expect("+OK POP3 proxy ready");
            c.expect(Main.UNAVAILABLE);
            c.expectClosed();
        }
        assertEquals(1, proxy.exitCode());
        awaitLine("mail.err pop3.proxy[" + proxy.process().pid() + "]: ",
                "cannot run as no-such-user-here: unknown user: no-such-user-here");
    }

    private String awaitLine(String prefix, String contains) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.startsWith(prefix) && line.contains(contains)) {
                        return line;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line " + prefix + "…" + contains + "… in " + log + ":\n" + read(log)
                + "\nrsyslogd: " + read(dir.resolve("rsyslogd.out")));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

}
