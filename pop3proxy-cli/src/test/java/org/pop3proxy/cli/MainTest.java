package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ClientInfo;

/** {@link Main#run} in this JVM, with the process's surroundings replaced by test values. */
class MainTest {
    private static Upstream upstream;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = new Upstream();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    private static Launch launch(byte[] stdin, ByteArrayOutputStream stdout, boolean stderrIsSocket,
                                 CompletableFuture<Runnable> stop) {
        return launch(stdin, stdout, stderrIsSocket, stop, NOT_ROOT);
    }

    private static Launch launch(byte[] stdin, ByteArrayOutputStream stdout, boolean stderrIsSocket,
                                 CompletableFuture<Runnable> stop, Launch.UserSwitch users) {
        return new Launch(() -> null, new ByteArrayInputStream(stdin), stdout, Map.of("TCPREMOTEIP", "192.0.2.1"),
                false, stderrIsSocket, false, stop::complete, reload -> { }, users, Optional.empty(), Optional.empty());
    }

    /** This JVM must never change its user: the tests pretend it is not root, or record the calls. */
    private static final Launch.UserSwitch NOT_ROOT = new FakeUsers(false, new Privileges.NotRoot(1000));

    /** Records what the proxy asked of the user switch, and answers with {@code outcome}. */
    private static final class FakeUsers implements Launch.UserSwitch {
        final boolean root;
        final Privileges.Outcome outcome;
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        FakeUsers(boolean root, Privileges.Outcome outcome) {
            this.root = root;
            this.outcome = outcome;
        }

        @Override
        public boolean isRoot() {
            return root;
        }

        @Override
        public void load() {
            calls.add("load");
        }

        @Override
        public Privileges.Outcome drop(String user) {
            calls.add("drop " + user);
            return outcome;
        }
    }

    private int run(Launch launch, String... args) {
        return Main.run(args, out, err, launch);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsTheUsageOnStdout() {
        assertEquals(0, run(launch(new byte[0], new ByteArrayOutputStream(), false, new CompletableFuture<>()), "--help"));
        String usage = outBytes.toString(StandardCharsets.UTF_8);
        for (String option : List.of("-a", "-c", "-e", "-l", "-m", "-q", "-s", "-t", "-u", "-v", "-z", "-d", "-D",
                "-DD", "--syslog-socket", "--pid-file", "--clamd", "--clamd-socket", "--clamd-mode", "--spool-dir",
                "--max-scan-size", "--max-spool-total", "--tls-cert", "--tls-key", "--tls-required", "--pop3s", "--capa",
                "--upstream-tls", "--upstream-ca", "--upstream-insecure", "--proxy-protocol", "--proxy-protocol-from",
                "--max-sessions", "--max-sessions-per-client", "--auth-timeout", "--relay-server-errors")) {
            assertTrue(usage.contains("  " + option + " "), option + " in " + usage);
        }
    }

    @Test
    void startedAsRootItLoadsThenDropsToNobodyByDefaultBeforeServing() {
        FakeUsers users = new FakeUsers(true, new Privileges.Dropped(65534, 65534));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        assertEquals(0, run(launch("QUIT\r\n".getBytes(StandardCharsets.US_ASCII), stdout, false,
                new CompletableFuture<>(), users), "--syslog-socket", "/nonexistent/log", upstream.server()));
        assertEquals(List.of("load", "drop nobody"), users.calls);
        assertTrue(stdout.toString(StandardCharsets.US_ASCII).startsWith("+OK POP3 proxy ready\r\n"));
    }

    @Test
    void anUnknownUserIsExit1WithAMessageAndNoGreeting() {
        FakeUsers users = new FakeUsers(true, new Privileges.Failed("unknown user: nosuchuser"));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        assertEquals(1, run(launch("QUIT\r\n".getBytes(StandardCharsets.US_ASCII), stdout, false,
                new CompletableFuture<>(), users), "--syslog-socket", "/nonexistent/log", "-u", "nosuchuser",
                upstream.server()));
        assertEquals(List.of("load", "drop nosuchuser"), users.calls);
        assertEquals("", stdout.toString(StandardCharsets.US_ASCII), "nothing reaches the client");
        assertTrue(err().contains("cannot run as nosuchuser: unknown user: nosuchuser"), err());
    }

    @Test
    void notRootNothingIsDropped() {
        FakeUsers users = new FakeUsers(false, new Privileges.NotRoot(1000));
        assertEquals(0, run(launch("QUIT\r\n".getBytes(StandardCharsets.US_ASCII), new ByteArrayOutputStream(), false,
                new CompletableFuture<>(), users), "--syslog-socket", "/nonexistent/log", "-u", "nosuchuser",
                upstream.server()));
        assertEquals(List.of(), users.calls);
    }

    @Test
    void aDaemonDropsAfterBindingAndAFailedDropClosesTheListener() throws Exception {
        FakeUsers users = new FakeUsers(true, new Privileges.Failed("unknown user: nosuchuser"));
        assertEquals(1, run(launch(new byte[0], new ByteArrayOutputStream(), false, new CompletableFuture<>(), users),
                "-d", "-DD", "127.0.0.1:0", "-u", "nosuchuser", upstream.server()));
        assertEquals(List.of("load", "drop nosuchuser"), users.calls);
        assertTrue(err().contains("cannot run as nosuchuser"), err());
        assertFalse(err().contains("listening on"), "never served: " + err());
    }

    @Test
    void aBadKeyFileIsExit1AtStartWithAMessageNamingIt() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("wire-tls");
        java.nio.file.Path junk = java.nio.file.Files.writeString(dir.resolve("junk.pem"), "not a pem file\n");
        try {
            assertEquals(1, run(launch(new byte[0], new ByteArrayOutputStream(), false, new CompletableFuture<>()),
                    "-DD", "127.0.0.1:0", "--tls-cert", junk.toString(), "--tls-key", junk.toString(),
                    upstream.server()));
            assertTrue(err().startsWith("pop3.proxy: TLS: ") && err().contains(junk.toString()), err());
        } finally {
            java.nio.file.Files.delete(junk);
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void builderRefusalsAreUsageErrors() {
        assertEquals(255, run(launch(new byte[0], new ByteArrayOutputStream(), false, new CompletableFuture<>()),
                "-e", "-c", ":", upstream.server()));
        assertTrue(err().contains("delimiters"), err());
        errBytes.reset();
        assertEquals(255, run(launch(new byte[0], new ByteArrayOutputStream(), false, new CompletableFuture<>()),
                "-z", "--max-scan-size", "2G", upstream.server()));
        assertTrue(err().contains("maxSpoolTotal"), err());
    }

    @Test
    void usageErrorsGoToStderrUnlessStderrIsASocket() {
        assertEquals(255, run(launch(new byte[0], new ByteArrayOutputStream(), false, new CompletableFuture<>()),
                "-x", "pop.example"));
        assertTrue(err().startsWith("pop3.proxy: "), err());
        errBytes.reset();
        assertEquals(255, run(launch(new byte[0], new ByteArrayOutputStream(), true, new CompletableFuture<>()),
                "--syslog-socket", "/nonexistent/log", "-x", "pop.example"));
        assertEquals(1, run(launch(new byte[0], new ByteArrayOutputStream(), true, new CompletableFuture<>()),
                "--syslog-socket", "/nonexistent/log"));
        assertEquals("", err());
    }

    @Test
    void inetdModeOnPipesServesOneSession() {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        byte[] script = ("USER " + Upstream.USER + "\r\nPASS " + Upstream.PASSWORD + "\r\nRETR 1\r\nQUIT\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, run(launch(script, stdout, false, new CompletableFuture<>()),
                "--syslog-socket", "/nonexistent/log", upstream.server()));
        String transcript = stdout.toString(StandardCharsets.ISO_8859_1);
        assertTrue(transcript.startsWith("+OK POP3 proxy ready\r\n+OK password required\r\n+OK"), transcript);
        assertTrue(transcript.contains(new String(upstream.retrBody(), StandardCharsets.ISO_8859_1)), transcript);
        assertEquals("", err());
    }

    @Test
    void inetdModeWithoutAServerRefusesEveryLogin() {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        assertEquals(1, run(launch("USER bob\r\nPASS x\r\n".getBytes(StandardCharsets.US_ASCII), stdout, false,
                new CompletableFuture<>()), "--syslog-socket", "/nonexistent/log", "-"));
        assertTrue(stdout.toString(StandardCharsets.US_ASCII).endsWith("-ERR bad login\r\n"));
    }

    @Test
    void minusMDropsTheRoutineLinesAndMinusTSetsTheTimeout() throws Exception {
        byte[] quit = "QUIT\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, run(launch(quit, new ByteArrayOutputStream(), false, new CompletableFuture<>()),
                "-d", upstream.server()));
        assertTrue(err().contains("connected from 192.0.2.1"), err());
        errBytes.reset();
        assertEquals(0, run(launch(quit, new ByteArrayOutputStream(), false, new CompletableFuture<>()),
                "-d", "-m", upstream.server()));
        assertFalse(err().contains("connected from"), err());
        assertEquals(java.time.Duration.ofSeconds(42), Wiring.wire(CommandLine.parse("-t", "42", "x")).config().timeout());
        assertTrue(Wiring.wire(CommandLine.parse("-m", "x")).config().quiet());
    }

    @Test
    void theEnvironmentNamesTheClientWhenStdinIsNoSocket() {
        ClientInfo info = Main.clientFromEnvironment(Map.of("TCPREMOTEIP", "192.0.2.1", "TCPREMOTEPORT", "4000",
                "TCPLOCALIP", "2001:db8::1", "TCPLOCALPORT", "110"));
        assertEquals("192.0.2.1", info.clientAddress());
        assertEquals(4000, info.remote().getPort());
        assertEquals("2001:db8:0:0:0:0:0:1", info.interfaceAddress());
        assertEquals(110, info.local().getPort());
        ClientInfo fallback = Main.clientFromEnvironment(Map.of("TCPREMOTEIP", "evil.example"));
        assertEquals("127.0.0.1", fallback.clientAddress(), "a host name is never looked up");
        assertEquals("127.0.0.1", fallback.interfaceAddress());
    }

    @Test
    void aForegroundDaemonServesUntilItsStopSignal() throws Exception {
        CompletableFuture<Runnable> stop = new CompletableFuture<>();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run(
                launch(new byte[0], new ByteArrayOutputStream(), false, stop), "-d", "-DD", "127.0.0.1:0", upstream.server()));
        Runnable stopper = stop.get(20, TimeUnit.SECONDS);
        Matcher m = awaitListening();
        try (Pop3Script c = new Pop3Script(Integer.parseInt(m.group(1)))) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + Upstream.USER).expect("+OK password required");
            c.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
            c.send("QUIT").expectStartsWith("+OK");
        }
        stopper.run();
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        assertTrue(err().contains("INFO stopped"), err());
    }

    private Matcher awaitListening() throws InterruptedException {
        Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(err());
            if (m.find()) {
                return m;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not listening: " + err());
    }
}
