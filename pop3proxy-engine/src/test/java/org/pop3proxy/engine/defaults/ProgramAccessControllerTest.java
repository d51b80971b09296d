package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.AccessDecision;
import org.pop3proxy.api.AccessRequest;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.ServerTarget;

class ProgramAccessControllerTest {
    static final ClientInfo CLIENT = new ClientInfo(new InetSocketAddress("192.0.2.1", 8110),
            new InetSocketAddress("198.51.100.9", 40000));

    @TempDir
    Path dir;

    static AccessRequest request(String serverLogin, String proxyUser, String proxyPassword) {
        return new AccessRequest(CLIENT, new ServerTarget("pop.example.com", 995, "pop.example.com:pop3s"),
                serverLogin, proxyUser, proxyPassword);
    }

    Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, body, StandardCharsets.ISO_8859_1);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static ProgramAccessController acp(String commandLine) {
        return ProgramAccessController.builder(commandLine).path("/usr/bin:/bin").timeout(Duration.ofSeconds(20)).build();
    }

    static Map<String, String> environ(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : Files.readString(file, StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    @Test
    void environmentIsExactlyPathAndThePrefixedVariables() throws Exception {
        Path out = dir.resolve("environ");
        AccessDecision d = acp("/bin/cp /proc/self/environ " + out).check(request("bob", "proxyuser", "s3cret"));
        assertSame(AccessDecision.allow(), d);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("PATH", "/usr/bin:/bin");
        expected.put("PROXY_INTERFACE", "192.0.2.1");
        expected.put("PROXY_PORT", "8110");
        expected.put("PROXY_CLIENT", "198.51.100.9");
        expected.put("PROXY_SERVER", "pop.example.com");
        expected.put("PROXY_SERVERPORT", "995");
        expected.put("PROXY_SERVERLOGIN", "bob");
        expected.put("PROXY_USERNAME", "proxyuser");
        expected.put("PROXY_PASSWD", "s3cret");
        assertEquals(expected, environ(out));
    }

    @Test
    void absentProxyCredentialsAreEmptyAndThePrefixIsReplacedLiterally() throws Exception {
        Path out = dir.resolve("environ");
        ProgramAccessController c = ProgramAccessController.builder("/bin/cp /proc/self/environ " + out)
                .variablePrefix("ACP_").path("/bin").build();
        assertSame(AccessDecision.allow(), c.check(request("bob", "", "")));
        Map<String, String> env = environ(out);
        assertEquals(java.util.Set.of("PATH", "ACP_INTERFACE", "ACP_PORT", "ACP_CLIENT", "ACP_SERVER", "ACP_SERVERPORT",
                "ACP_SERVERLOGIN", "ACP_USERNAME", "ACP_PASSWD"), env.keySet());
        assertEquals("", env.get("ACP_USERNAME"));
        assertEquals("", env.get("ACP_PASSWD"));
        assertThrows(IllegalArgumentException.class, () -> ProgramAccessController.builder("x").variablePrefix("A=B"));
        assertThrows(IllegalArgumentException.class, () -> ProgramAccessController.builder("  \t "));
    }

    @Test
    void hostileValuesArePassedAsDataAndNeverRun() throws Exception {
        Path out = dir.resolve("values");
        Path acp = script("acp.sh", "#!/bin/bash\n"
                + "printf '%s\\0' \"$PROXY_SERVERLOGIN\" \"$PROXY_USERNAME\" \"$PROXY_PASSWD\" > \"$1\"\n"
                + "exit 0\n");
        String login = "$(touch " + dir + "/p1);touch " + dir + "/p2|touch " + dir + "/p3";
        String user = "`touch " + dir + "/p4`";
        String password = "() { :; }; touch " + dir + "/p5";
        AccessDecision d = acp(acp + " " + out).check(request(login, user, password));
        assertSame(AccessDecision.allow(), d);
        assertEquals(List.of(login, user, password),
                List.of(Files.readString(out, StandardCharsets.UTF_8).split("\0")));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("p")).toList());
        }
    }

    @Test
    void bashFunctionDefinitionsInTheEnvironmentAreNotImported() throws Exception {
        Path out = dir.resolve("out");
        Path acp = script("acp.sh", "#!/bin/bash\ndeclare -F > \"$1\"\ntype x >> \"$1\" 2>&1\nexit 0\n");
        String fn = "() { touch " + dir + "/pwned; }";
        assertSame(AccessDecision.allow(), acp(acp + " " + out).check(request(fn, fn, fn)));
        assertFalse(Files.exists(dir.resolve("pwned")));
        assertTrue(Files.readString(out).contains("not found"), Files.readString(out));
    }

    @Test
    void valuesWithNulOrOverTheSizeLimitDenyWithoutRunning() throws Exception {
        Path ran = dir.resolve("ran");
        Path acp = script("acp.sh", "#!/bin/sh\ntouch " + ran + "\nexit 0\n");
        ProgramAccessController c = acp(acp.toString());
        AccessDecision longLogin = c.check(request("x".repeat(ProgramAccessController.MAX_VALUE_BYTES + 1), "", ""));
        assertInstanceOf(AccessDecision.Deny.class, longLogin);
        AccessDecision longUtf8 = c.check(request("\u00e9".repeat(600), "", ""));
        assertInstanceOf(AccessDecision.Deny.class, longUtf8);
        AccessDecision nul = c.check(request("bob", "", "pa\0ss"));
        assertInstanceOf(AccessDecision.Deny.class, nul);
        assertFalse(((AccessDecision.Deny) nul).reason().contains("pa"));
        assertFalse(Files.exists(ran));
        assertSame(AccessDecision.allow(), c.check(request("x".repeat(ProgramAccessController.MAX_VALUE_BYTES), "", "")));
        assertTrue(Files.exists(ran));
    }

    @Test
    void exitZeroGrantsAndItsOutputIsNotForTheClient() throws Exception {
        Path acp = script("acp.sh", "#!/bin/sh\necho '-ERR this must not reach the client'\necho oops >&2\nexit 0\n");
        assertSame(AccessDecision.allow(), acp(acp.toString()).check(request("bob", "", "")));
    }

    @Test
    void nonZeroExitDeniesAndRelaysOnlyErrLines() throws Exception {
        Path acp = script("acp.sh", "#!/bin/sh\n"
                + "printf '+OK sneaky\\r\\n-ERR no access for you\\r\\n-ERR\\tsecond\\001 \\033[31mline\\n"
                + "plain text\\n-ERRx glued\\n-err lower case\\n-ERR\\n.\\n'\nexit 3\n");
        AccessDecision.Deny d = assertInstanceOf(AccessDecision.Deny.class, acp(acp.toString()).check(request("bob", "", "")));
        assertEquals(List.of("no access for you", "second [31mline", "lower case"), d.clientLines());
        assertTrue(d.reason().contains("exit 3"), d.reason());
    }

    @Test
    void denialWithoutErrLinesLeavesTheClientLineToTheEngine() throws Exception {
        Path acp = script("acp.sh", "#!/bin/sh\necho '+OK fake'\necho 'go away'\nexit 1\n");
        AccessDecision.Deny d = assertInstanceOf(AccessDecision.Deny.class, acp(acp.toString()).check(request("bob", "", "")));
        assertEquals(List.of(), d.clientLines());
    }

    @Test
    void relayedLinesAreCappedOnTheWire() throws Exception {
        Path acp = script("acp.sh", "#!/bin/sh\ni=0\nwhile [ $i -lt 100 ]; do echo \"-ERR $(printf '%060d' $i)\"; i=$((i+1)); done\n"
                + "echo \"-ERR $(head -c 3000 /dev/zero | tr '\\0' y)\"\nexit 1\n");
        AccessDecision.Deny d = assertInstanceOf(AccessDecision.Deny.class, acp(acp.toString()).check(request("bob", "", "")));
        int wire = d.clientLines().stream().mapToInt(l -> ("-ERR " + l + "\r\n").length()).sum();
        assertTrue(wire <= ProgramAccessController.MAX_CLIENT_BYTES, "wire bytes " + wire);
        assertTrue(d.clientLines().size() >= 6, d.clientLines().toString());
        assertEquals("0".repeat(60), d.clientLines().get(0));
        AccessDecision.Deny one = assertInstanceOf(AccessDecision.Deny.class,
                acp(script("one.sh", "#!/bin/sh\necho \"-ERR $(head -c 3000 /dev/zero | tr '\\0' y)\"\nexit 1\n").toString())
                        .check(request("bob", "", "")));
        assertEquals(ProgramAccessController.MAX_CLIENT_BYTES - 7, one.clientLines().get(0).length());
    }

    @Test
    void signalsMissingAndNonExecutableProgramsDeny() throws Exception {
        assertInstanceOf(AccessDecision.Deny.class,
                acp(script("kill.sh", "#!/bin/sh\necho '-ERR dying'\nkill -9 $$\n").toString()).check(request("bob", "", "")));
        assertInstanceOf(AccessDecision.Deny.class,
                acp(script("term.sh", "#!/bin/sh\nkill -TERM $$\nexit 0\n").toString()).check(request("bob", "", "")));
        assertInstanceOf(AccessDecision.Deny.class, acp(dir.resolve("missing").toString()).check(request("bob", "", "")));
        Path plain = script("plain.sh", "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        assertInstanceOf(AccessDecision.Deny.class, acp(plain.toString()).check(request("bob", "", "")));
        assertInstanceOf(AccessDecision.Deny.class, acp(dir.toString()).check(request("bob", "", "")));
        assertInstanceOf(AccessDecision.Deny.class, acp("/bin/false").check(request("bob", "", "")));
        assertSame(AccessDecision.allow(), acp("/bin/true").check(request("bob", "", "")));
    }

    @Test
    void aHangingProgramAndItsChildrenAreKilledAtTheTimeout() throws Exception {
        Path pid = dir.resolve("pid");
        Path childPid = dir.resolve("child");
        Path acp = script("hang.sh", "#!/bin/sh\nsleep 60 &\necho $! > " + childPid + ".tmp\nmv " + childPid
                + ".tmp " + childPid + "\necho $$ > " + pid + ".tmp\nmv " + pid + ".tmp " + pid + "\nwait\n");
        ProgramAccessController c = ProgramAccessController.builder(acp.toString())
                .timeout(Duration.ofMillis(500)).build();
        long start = System.nanoTime();
        AccessDecision.Deny d = assertInstanceOf(AccessDecision.Deny.class, c.check(request("bob", "", "")));
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took < 5000, "took " + took + " ms");
        assertTrue(d.reason().contains("timeout"), d.reason());
        assertEquals(List.of(), d.clientLines());
        for (Path p : List.of(pid, childPid)) {
            long n = Long.parseLong(Files.readString(p).strip());
            Optional<ProcessHandle> handle = ProcessHandle.of(n);
            if (handle.isPresent()) {
                handle.get().onExit().get(5, TimeUnit.SECONDS);
            }
            assertFalse(ProcessHandle.of(n).map(ProcessHandle::isAlive).orElse(false), "process " + n + " still alive");
        }
    }

    @Test
    void bigOutputOnBothStreamsDoesNotDeadlock() throws Exception {
        Path acp = script("big.sh", "#!/bin/sh\nhead -c 4000000 /dev/zero | tr '\\0' x\n"
                + "head -c 4000000 /dev/zero | tr '\\0' y >&2\necho\necho '-ERR after the flood'\nexit 1\n");
        ProgramAccessController c = ProgramAccessController.builder(acp.toString()).timeout(Duration.ofSeconds(30)).build();
        long start = System.nanoTime();
        AccessDecision.Deny d = assertInstanceOf(AccessDecision.Deny.class, c.check(request("bob", "", "")));
        assertTrue(d.reason().contains("exit 1"), d.reason());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
    }

    @Test
    void theProgramInheritsNoDescriptorsButStdio() throws Exception {
        Path out = dir.resolve("fds");
        Path marker = Files.writeString(dir.resolve("marker-file"), "x");
        Path acp = script("fds.sh", "#!/bin/sh\nexec /bin/ls -l /proc/self/fd > \"$1\" 2>&1\n");
        try (ServerSocket listener = new ServerSocket(0); FileInputStream open = new FileInputStream(marker.toFile())) {
            assertSame(AccessDecision.allow(), acp(acp + " " + out).check(request("bob", "", "")));
        }
        List<String> lines = Files.readAllLines(out);
        List<String> fds = new ArrayList<>();
        for (String line : lines) {
            if (line.contains(" -> ")) {
                String[] parts = line.substring(0, line.indexOf(" -> ")).split(" ");
                fds.add(parts[parts.length - 1]);
                assertFalse(line.contains("socket:") || line.contains("marker-file") || line.contains("pipe:"), line);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* 0 -> /dev/null")), lines.toString());
        assertEquals(List.of("0", "1", "2", "3"), fds.stream().sorted().toList(), lines.toString());
    }

    @Test
    void safeForConcurrentUse() throws Exception {
        Path acp = script("acp.sh", "#!/bin/sh\nsleep 0.1\ncase \"$PROXY_SERVERLOGIN\" in allow*) exit 0;; esac\n"
                + "echo \"-ERR denied $PROXY_SERVERLOGIN\"\nexit 1\n");
        ProgramAccessController c = acp(acp.toString());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<AccessDecision>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String login = (i % 2 == 0 ? "allow" : "deny") + i;
                results.add(pool.submit((Callable<AccessDecision>) () -> c.check(request(login, "", ""))));
            }
            for (int i = 0; i < 16; i++) {
                AccessDecision d = results.get(i).get();
                if (i % 2 == 0) {
                    assertSame(AccessDecision.allow(), d);
                } else {
                    assertEquals(List.of("denied deny" + i), assertInstanceOf(AccessDecision.Deny.class, d).clientLines());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void thePasswordNeverReachesTheLog() throws Exception {
        String secret = "Very-Secret-42";
        Path acp = script("echo.sh", "#!/bin/sh\necho \"stdout $PROXY_PASSWD\"\necho \"stderr $PROXY_PASSWD\" >&2\nexit 0\n");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertSame(AccessDecision.allow(), acp(acp.toString()).check(request("bob", "proxy", secret)));
            assertInstanceOf(AccessDecision.Deny.class, acp(dir.resolve("missing").toString())
                    .check(request("bob", "proxy", secret)));
        } finally {
            System.setErr(saved);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("stdout ***") && log.contains("stderr ***"), log);
        assertFalse(log.contains(secret), log);
        assertFalse(request("bob", "proxy", secret).toString().contains(secret));
    }

    @Test
    void clientLinesParsing() {
        assertEquals(List.of("a", "b c"), ProgramAccessController.clientLines(List.of("-ERR a", "-ERR   b c  ", "+OK x")));
        assertEquals(List.of("x", "y"), ProgramAccessController.lines("x\r\ny\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("a *** b\\x07 \\x24\\x7bx\\x7d", ProgramAccessController.forLog("a pw b\u0007 ${x}", "pw"));
    }

    @Test
    void aBackgroundChildHoldingTheOutputNeitherDelaysTheDecisionNorLeaksAnything() throws Exception {
        Path acp = dir.resolve("background");
        Files.writeString(acp, "#!/bin/sh\necho started\nsleep 30 &\nexit 0\n");
        Files.setPosixFilePermissions(acp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ProgramAccessController c = ProgramAccessController.builder(acp.toString())
                .timeout(java.time.Duration.ofSeconds(20)).build();
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(AccessDecision.Allow.class, c.check(request("bob", "", "")));
        }
        // Five decisions while five children sleep 30 s: none waited for its child.
        assertTrue(System.nanoTime() - start < java.time.Duration.ofSeconds(15).toNanos());
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("acp-")).count(), "no thread waits on the child's output");
        try (java.util.stream.Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(0, left.filter(f -> f.getFileName().toString().startsWith("pop3proxy-acp-")).count(),
                    "capture files are deleted");
        }
    }
}
