package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Daemon mode through the real launcher: in the foreground with -d, and detached without it. */
@EnabledIfSystemProperty(named = "pop3proxy.launcher-tests", matches = "true",
        disabledReason = "needs the packaged jar: runs in the integration-test phase of mvn verify")
class DaemonIT {
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+) \\(pid ([0-9]+)\\)");
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

    private static Path jdk() {
        return Launcher.jdks().findFirst().orElseThrow();
    }

    @Test
    void inTheForegroundItServesClientsConcurrentlyAndStopsOnSigterm() throws Exception {
        Process daemon = Launcher.command(jdk(), dir, "-d", "-DD", "127.0.0.1:0", upstream.server())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        Path stderr = dir.resolve("stderr.txt");
        try {
            Matcher m = await(stderr, LISTENING);
            int port = Integer.parseInt(m.group(1));
            assertEquals(daemon.pid(), Long.parseLong(m.group(2)), "the launcher execs java");

            try (Pop3Script idle = new Pop3Script(port)) {
                idle.expect("+OK POP3 proxy ready");
                try (Pop3Script c = new Pop3Script(port)) {
                    c.expect("+OK POP3 proxy ready");
                    c.send("USER " + Upstream.USER).expect("+OK password required");
                    c.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
                    c.send("RETR 1").expectStartsWith("+OK");
                    assertArrayEquals(upstream.retrBody(), c.readBody());
                    c.send("QUIT").expectStartsWith("+OK");
                    c.expectClosed();
                }
                assertArrayEquals(upstream.message(), InetdIT.AngusClient.fetchFirst(port));
                if (Files.isExecutable(CURL)) {
                    Launcher.Result curl = Launcher.run(List.of(CURL.toString(), "-s", "-S",
                            "pop3://127.0.0.1:" + port + "/1", "-u", Upstream.USER + ":" + Upstream.PASSWORD), dir);
                    assertEquals(0, curl.exitCode(), curl.err());
                    assertArrayEquals(upstream.message(), curl.out());
                }
                idle.send("NOOP").expect("-ERR login first");
            }

            daemon.destroy();
            assertTrue(daemon.waitFor(20, TimeUnit.SECONDS), "SIGTERM did not stop the daemon");
            assertEquals(0, daemon.exitValue(), "a clean stop");
            await(stderr, Pattern.compile("INFO stopped$"));
            assertEquals("", Files.readString(dir.resolve("stdout.txt")), "nothing on stdout");
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void inTheForegroundABusyPortIsExit1() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Launcher.Result r = Launcher.run(List.of(Launcher.script().toString(), "-d", "-DD",
                    "127.0.0.1:" + busy.getLocalPort(), upstream.server()), dir);
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("cannot listen on 127.0.0.1:" + busy.getLocalPort()), r.err());
        }
    }

    @Test
    void withoutDebugItDetachesAndKeepsServingUntilKilledByItsPidFile() throws Exception {
        Path pidFile = dir.resolve("pop3.proxy.pid");
        int port = freePort();
        long started = System.nanoTime();
        Launcher.Result r = Launcher.run(List.of(Launcher.script().toString(), "-DD", "127.0.0.1:" + port,
                "--pid-file", pidFile.toString(), "--syslog-socket", dir.resolve("none").toString(),
                upstream.server()), dir);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        assertEquals(0, r.out().length);
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle child = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no daemon " + pid));
        try {
            assertTrue(child.isAlive());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30));
            assertFalse(ProcessHandle.current().descendants().anyMatch(p -> p.pid() == pid),
                    "the daemon is no child of the test any more: its parent exited");
            assertDetached(pid);

            try (Pop3Script c = new Pop3Script(port)) {
                c.expect("+OK POP3 proxy ready");
                c.send("USER " + Upstream.USER).expect("+OK password required");
                c.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
                c.send("RETR 1").expectStartsWith("+OK");
                assertArrayEquals(upstream.retrBody(), c.readBody());
                c.send("QUIT").expectStartsWith("+OK");
            }
            if (Files.isExecutable(CURL)) {
                Launcher.Result curl = Launcher.run(List.of(CURL.toString(), "-s", "-S",
                        "pop3://127.0.0.1:" + port + "/1", "-u", Upstream.USER + ":" + Upstream.PASSWORD), dir);
                assertArrayEquals(upstream.message(), curl.out(), curl.err());
            }

            assertTrue(child.destroy(), "SIGTERM");
            child.onExit().get(20, TimeUnit.SECONDS);
            assertFalse(child.isAlive());
            assertFalse(Files.exists(pidFile), "the pid file is removed at a clean stop");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void withoutDebugABusyPortIsStillExit1InTheParent() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Launcher.Result r = Launcher.run(List.of(Launcher.script().toString(), "-DD",
                    "127.0.0.1:" + busy.getLocalPort(), "--syslog-socket", dir.resolve("none").toString(),
                    upstream.server()), dir);
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("cannot listen on 127.0.0.1:" + busy.getLocalPort()), r.err());
        }
    }

    /** Checks, on Linux, that the daemon has its own session and /dev/null as stdio. */
    private static void assertDetached(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        assumeTrue(Files.isDirectory(proc), "no /proc");
        for (int fd = 0; fd <= 2; fd++) {
            assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(proc.resolve("fd/" + fd)), "fd " + fd);
        }
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            String stat = Files.readString(proc.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(Long.toString(pid), fields[3], "session id: the daemon leads its own session");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits for a line of {@code log} to match. The log is a file, not a pipe: a pipe read while
     * the process exits can lose its last lines in the JDK.
     */
    private static Matcher await(Path log, Pattern pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (String line : seen) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line matching " + pattern + " in:\n" + String.join("\n", seen));
    }
}
