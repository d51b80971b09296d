package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * inetd mode for real: the launcher gets a connected socket as stdin, stdout and stderr, and the
 * client must see nothing but POP3 on it, on every JDK the machine has.
 */
@EnabledIfSystemProperty(named = "pop3proxy.launcher-tests", matches = "true",
        disabledReason = "needs the packaged jar: runs in the integration-test phase of mvn verify")
class InetdIT {
    private static final Path CURL = Path.of("/usr/bin/curl");
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

    static Stream<Path> jdks() {
        return Launcher.jdks();
    }

    /** Keeps log lines off any real syslog: the socket does not exist, so they are dropped. */
    private String[] args(String... more) {
        String[] base = {"--syslog-socket", dir.resolve("no-syslog-here").toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /**
     * The build's class data archive is what makes an inetd start fast (issue 5): the launcher
     * must find it for the JDK the build ran on, and on JDK 17-23 it must carry the module graph,
     * which that JDK maps only into the G1 heap the launcher then asks for.
     */
    @Test
    void anInetdStartMapsTheBuildsArchiveWithTheModuleGraph() throws Exception {
        assumeTrue(Runtime.version().feature() != 24, "cds-archive.sh makes no archive for JDK 24");
        Path log = dir.resolve("cds.log");
        Launcher.Inetd proxy = Launcher.inetd(Path.of(System.getProperty("java.home")), dir,
                Map.of("POP3PROXY_JVM_OPTIONS", "-Xlog:cds=info,class+load=info:file=" + log), args(upstream.server()));
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
        assertEquals(0, proxy.exitCode());
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text.contains("org.pop3proxy.cli.Main source: shared objects file"), text);
        if (Runtime.version().feature() < 24) {
            assertTrue(text.contains("full module graph: enabled"), text);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aScriptedClientGetsTheExactBytesAndNothingButPop3(Path jdk) throws Exception {
        Launcher.Inetd proxy = Launcher.inetd(jdk, dir, Map.of(), args(upstream.server()));
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + Upstream.USER).expect("+OK password required");
            c.send("PASS " + Upstream.PASSWORD).expectStartsWith("+OK");
            c.send("STAT").expectStartsWith("+OK 1 ");
            c.send("RETR 1").expectStartsWith("+OK");
            assertArrayEquals(upstream.retrBody(), c.readBody());
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
        assertEquals(0, proxy.exitCode());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aBadLoginEndsWithExit1(Path jdk) throws Exception {
        Launcher.Inetd proxy = Launcher.inetd(jdk, dir, Map.of(), args(upstream.server()));
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER " + Upstream.USER).expect("+OK password required");
            c.send("PASS wrong").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(1, proxy.exitCode());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void usageErrorsNeverReachTheSocket(Path jdk) throws Exception {
        for (String[] bad : List.of(new String[] {"-x", upstream.server()}, new String[] {"--pop3s", upstream.server()},
                new String[] {"-DD"})) {
            Launcher.Inetd proxy = Launcher.inetd(jdk, dir, Map.of(), args(bad));
            try (Pop3Script c = new Pop3Script(proxy.port())) {
                c.expectClosed();
            }
            assertEquals(255, proxy.exitCode(), String.join(" ", bad));
        }
        Launcher.Inetd noServer = Launcher.inetd(jdk, dir, Map.of(), args());
        try (Pop3Script c = new Pop3Script(noServer.port())) {
            c.expectClosed();
        }
        assertEquals(1, noServer.exitCode());
    }

    @Test
    void curlFetchesTheMessage() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                args(upstream.server()));
        Launcher.Result curl = Launcher.run(List.of(CURL.toString(), "-s", "-S",
                "pop3://127.0.0.1:" + proxy.port() + "/1", "-u", Upstream.USER + ":" + Upstream.PASSWORD), dir);
        assertEquals(0, curl.exitCode(), curl.err());
        assertEquals(new String(upstream.message(), StandardCharsets.ISO_8859_1),
                new String(curl.out(), StandardCharsets.ISO_8859_1));
        assertEquals(0, proxy.exitCode());
    }

    @Test
    void angusMailFetchesTheMessage() throws Exception {
        Launcher.Inetd proxy = Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(),
                args(upstream.server()));
        assertArrayEquals(upstream.message(), AngusClient.fetchFirst(proxy.port()));
        assertEquals(0, proxy.exitCode());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withPipesInsteadOfASocketStderrStaysEmpty(Path jdk) throws Exception {
        ProcessBuilder pb = Launcher.command(jdk, dir, args(upstream.server()));
        pb.environment().put("TCPREMOTEIP", "192.0.2.9");
        pb.environment().put("TCPLOCALIP", "127.0.0.1");
        pb.environment().put("TCPLOCALPORT", "110");
        Path err = dir.resolve("stderr.txt");
        Process p = pb.redirectError(err.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(("USER " + Upstream.USER + "\r\nPASS " + Upstream.PASSWORD + "\r\nRETR 1\r\nQUIT\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        byte[] out;
        try (InputStream stdout = p.getInputStream()) {
            out = stdout.readAllBytes();
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "proxy did not exit");
        assertEquals(0, p.exitValue());
        assertEquals("", Files.readString(err), "stderr in inetd mode");
        String transcript = new String(out, StandardCharsets.ISO_8859_1);
        assertTrue(transcript.startsWith("+OK POP3 proxy ready\r\n+OK password required\r\n+OK"), transcript);
        assertTrue(transcript.contains(new String(upstream.retrBody(), StandardCharsets.ISO_8859_1)), transcript);
        assertTrue(transcript.matches("(?s)(.*\r\n)?\\+OK[^\r\n]*\r\n"), "ends with QUIT's +OK: " + transcript);
    }

    /**
     * A Unix socket on stdin and stdout (systemd's Accept=yes with a path): the launcher greets
     * through it at once, as on TCP, and the session on the streams never greets a second time.
     * Python plays the superserver, as Java cannot hand a socket to a child.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void aUnixSocketOnStdinIsGreetedOnce(Path jdk) throws Exception {
        Path superserver = dir.resolve("unix-inetd.py");
        Files.writeString(superserver, String.join("\n",
                "import socket, subprocess, sys",
                "a, b = socket.socketpair()",
                "p = subprocess.Popen(sys.argv[1:], stdin=b, stdout=b, stderr=subprocess.DEVNULL)",
                "b.close()",
                "a.settimeout(60)",
                "f = a.makefile('rb')",
                "seen = f.readline()",
                "a.sendall(b'USER " + Upstream.USER + "\\r\\nQUIT\\r\\n')",
                "seen += f.read()",
                "sys.stdout.buffer.write(seen + b'exit %d' % p.wait())", ""));
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "JAVA_HOME=" + jdk, "python3",
                superserver.toString(), Launcher.script().toString()));
        cmd.addAll(List.of(args(upstream.server())));
        Launcher.Result r = Launcher.run(cmd, dir);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("+OK POP3 proxy ready\r\n+OK password required\r\n+OK bye\r\nexit 0",
                new String(r.out(), StandardCharsets.ISO_8859_1));
    }

    /** Fetches with the Angus Mail POP3 provider, as a Jakarta Mail application would. */
    static final class AngusClient {
        private AngusClient() {}

        static byte[] fetchFirst(int port) throws Exception {
            Properties props = new Properties();
            props.put("mail.pop3.connectiontimeout", "10000");
            props.put("mail.pop3.timeout", "20000");
            Store store = Session.getInstance(props).getStore("pop3");
            store.connect("127.0.0.1", port, Upstream.USER, Upstream.PASSWORD);
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] messages = inbox.getMessages();
                assertEquals(1, messages.length);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                messages[0].writeTo(out);
                inbox.close(false);
                return out.toByteArray();
            } finally {
                store.close();
            }
        }
    }
}
