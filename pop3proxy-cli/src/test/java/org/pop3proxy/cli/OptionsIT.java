package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manual's options {@code -e -c -s -a -v -l -q -u} through the real launcher, in inetd mode
 * (the fake inetd of socket_stdio.py) and in daemon mode, against GreenMail behind a relay that
 * counts every upstream connection.
 */
@EnabledIfSystemProperty(named = "pop3proxy.launcher-tests", matches = "true",
        disabledReason = "needs the packaged jar: runs in the integration-test phase of mvn verify")
class OptionsIT {
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

    /** Keeps log lines off any real syslog: the socket does not exist, so they are dropped. */
    private String[] args(String... more) {
        List<String> all = new java.util.ArrayList<>(List.of("--syslog-socket", dir.resolve("no-syslog").toString()));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private Launcher.Inetd inetd(String... args) throws IOException {
        return Launcher.inetd(Launcher.jdks().findFirst().orElseThrow(), dir, Map.of(), args(args));
    }

    /** Logs in as {@code login}; returns the reply to PASS. */
    private static String login(Pop3Script c, String login, String password) throws IOException {
        c.expect("+OK POP3 proxy ready");
        c.send("USER " + login).expect("+OK password required");
        return c.send("PASS " + password).line();
    }

    // ---- -e -s: the client's choice, and only from the list

    /** Each spelling that must not pass an allow-list of 127.0.0.1:<relay>, localhost:<relay> and localhost. */
    private static List<String> bypasses(int allowed, int evil) {
        return List.of(
                "bob@127.0.0.1:" + evil,                           // not listed
                "bob@127.0.0.1:" + allowed + "@127.0.0.1:" + evil, // splits at the last @: evil
                "bob@LOCALHOST.:" + allowed,                       // trailing dot
                "bob@127.1:" + allowed,                            // another spelling of 127.0.0.1
                "bob@2130706433:" + allowed,                       // and another
                "bob@0177.0.0.1:" + allowed,                       // octal for glibc, 177.x for Java
                "bob@[::ffff:127.0.0.1]:" + allowed,               // IPv4 inside IPv6
                "bob@localhost:" + evil,                           // a listed host with another port
                "bob@127.0.0.1:" + allowed + "%127.0.0.1:" + evil); // % is no delimiter without -c
    }

    private static String serverList(int allowed) {
        return "127.0.0.1:" + allowed + ",localhost:" + allowed + ",localhost";
    }

    @Test
    void daemonClientSelectionReachesOnlyListedServers() throws Exception {
        try (Relay relay = Relay.to(upstream.port()); Relay evil = Relay.sink();
                Daemon d = Daemon.start(dir, "-e", "-s", serverList(relay.port()), "-")) {
            for (String allowed : List.of("bob@127.0.0.1:" + relay.port(), "bob@LOCALHOST:" + relay.port())) {
                try (Pop3Script c = new Pop3Script(d.port())) {
                    assertTrue(login(c, allowed, Upstream.PASSWORD).startsWith("+OK"), allowed);
                    c.send("RETR 1").expectStartsWith("+OK");
                    assertArrayEquals(upstream.retrBody(), c.readBody());
                    c.send("QUIT").expectStartsWith("+OK");
                }
            }
            assertEquals(2, relay.connections());
            for (String bypass : bypasses(relay.port(), evil.port())) {
                try (Pop3Script c = new Pop3Script(d.port())) {
                    assertEquals("-ERR bad login\r\n", login(c, bypass, Upstream.PASSWORD), bypass);
                    c.expectClosed();
                }
            }
            try (Pop3Script c = new Pop3Script(d.port())) {
                assertEquals("-ERR bad login\r\n", login(c, "bob", Upstream.PASSWORD), "no server and no default");
            }
            assertEquals(0, evil.connections(), "the evil server was reached");
            assertEquals(2, relay.connections(), "a refused login reached the listed server");
            assertTrue(d.log().contains("is not in the server list"), d.log());
        }
    }

    @Test
    void inetdClientSelectionReachesOnlyListedServers() throws Exception {
        try (Relay relay = Relay.to(upstream.port()); Relay evil = Relay.sink()) {
            Launcher.Inetd ok = inetd("-e", "-s", serverList(relay.port()), "-");
            try (Pop3Script c = new Pop3Script(ok.port())) {
                assertTrue(login(c, "bob@127.0.0.1:" + relay.port(), Upstream.PASSWORD).startsWith("+OK"));
                c.send("QUIT").expectStartsWith("+OK");
            }
            assertEquals(0, ok.exitCode());
            for (String bypass : bypasses(relay.port(), evil.port()).subList(0, 4)) {
                Launcher.Inetd proxy = inetd("-e", "-s", serverList(relay.port()), "-");
                try (Pop3Script c = new Pop3Script(proxy.port())) {
                    assertEquals("-ERR bad login\r\n", login(c, bypass, Upstream.PASSWORD), bypass);
                    c.expectClosed();
                }
                assertEquals(1, proxy.exitCode(), bypass);
            }
            assertEquals(0, evil.connections(), "the evil server was reached");
            assertEquals(1, relay.connections());
        }
    }

    @Test
    void minusCSetsTheDelimitersAndTheDefaultServerTakesLoginsWithoutOne() throws Exception {
        try (Relay relay = Relay.to(upstream.port());
                Daemon d = Daemon.start(dir, "-e", "-c", "%", "127.0.0.1:" + relay.port())) {
            try (Pop3Script c = new Pop3Script(d.port())) {
                assertTrue(login(c, "bob%127.0.0.1:" + relay.port(), Upstream.PASSWORD).startsWith("+OK"));
                c.send("QUIT").expectStartsWith("+OK");
            }
            try (Pop3Script c = new Pop3Script(d.port())) {
                assertTrue(login(c, "bob", Upstream.PASSWORD).startsWith("+OK"), "the default server");
                c.send("QUIT").expectStartsWith("+OK");
            }
            assertEquals(2, relay.connections());
        }
    }

    // ---- -a -v: the access control program

    /** Writes an ACP that saves its exact environment (from /proc, untouched by the shell) and exits. */
    private Path acp(Path out, int exit, String stdout) throws IOException {
        Path bin = Launcher.sharedDir(dir, "bin");
        Path script = bin.resolve("acp-" + exit + ".sh");
        Files.writeString(script, "#!/bin/sh\ncat /proc/$$/environ > " + out + "\nprintf '%s\\n' '" + stdout
                + "'\nexit " + exit + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static Map<String, String> environment(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : Files.readString(file, StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    @Test
    void daemonAcpGetsExactlyPathAndTheProxyVariables() throws Exception {
        Path out = Launcher.sharedDir(dir, "out").resolve("env");
        try (Relay relay = Relay.to(upstream.port());
                Daemon d = Daemon.start(dir, "-e", "-a", acp(out, 0, "granted, and never sent").toString(), "-")) {
            try (Pop3Script c = new Pop3Script(d.port())) {
                String reply = login(c, "proxyuser:bob@127.0.0.1:" + relay.port(), "proxypass:" + Upstream.PASSWORD);
                assertTrue(reply.startsWith("+OK"), "only the right-hand parts reach the server: " + reply);
                c.send("QUIT").expectStartsWith("+OK");
                assertTrue(!c.received().contains("granted"), c.received());
            }
            Map<String, String> env = environment(out);
            assertEquals(Set.of("PATH", "PROXY_INTERFACE", "PROXY_PORT", "PROXY_CLIENT", "PROXY_SERVER",
                    "PROXY_SERVERPORT", "PROXY_SERVERLOGIN", "PROXY_USERNAME", "PROXY_PASSWD"), env.keySet());
            assertEquals(System.getenv("PATH"), env.get("PATH"));
            assertEquals("127.0.0.1", env.get("PROXY_INTERFACE"));
            assertEquals(Integer.toString(d.port()), env.get("PROXY_PORT"));
            assertEquals("127.0.0.1", env.get("PROXY_CLIENT"));
            assertEquals("127.0.0.1", env.get("PROXY_SERVER"));
            assertEquals(Integer.toString(relay.port()), env.get("PROXY_SERVERPORT"));
            assertEquals("bob", env.get("PROXY_SERVERLOGIN"));
            assertEquals("proxyuser", env.get("PROXY_USERNAME"));
            assertEquals("proxypass", env.get("PROXY_PASSWD"));
            assertEquals(1, relay.connections());
        }
    }

    @Test
    void inetdAcpWithAPrefixDeniesWithItsOwnErrLineAndNoUpstreamConnection() throws Exception {
        Path out = Launcher.sharedDir(dir, "out").resolve("env");
        try (Relay relay = Relay.to(upstream.port())) {
            Launcher.Inetd proxy = inetd("-a", acp(out, 1, "-ERR not from here, proxyuser").toString(),
                    "-v", "P3_", "127.0.0.1:" + relay.port());
            try (Pop3Script c = new Pop3Script(proxy.port())) {
                assertEquals("-ERR not from here, proxyuser\r\n",
                        login(c, "proxyuser:bob", "proxypass:" + Upstream.PASSWORD));
                c.expectClosed();
            }
            assertEquals(1, proxy.exitCode());
            assertEquals(0, relay.connections(), "a denied login never reaches the server");
            Map<String, String> env = environment(out);
            assertEquals(Set.of("PATH", "P3_INTERFACE", "P3_PORT", "P3_CLIENT", "P3_SERVER", "P3_SERVERPORT",
                    "P3_SERVERLOGIN", "P3_USERNAME", "P3_PASSWD"), env.keySet());
            assertEquals("bob", env.get("P3_SERVERLOGIN"));
            assertEquals("proxyuser", env.get("P3_USERNAME"));
            assertEquals("proxypass", env.get("P3_PASSWD"));
            assertEquals(Integer.toString(relay.port()), env.get("P3_SERVERPORT"));
        }
    }

    // ---- -l: the login files; -u: the user they are written as

    private static int owner(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid");
    }

    @Test
    void daemonLoginFileIsWrittenAtLoginAndRewrittenAtQuitAsNobody() throws Exception {
        Path logins = Launcher.sharedDir(dir, "logins");
        Path file = logins.resolve("127.0.0.1");
        try (Daemon d = Daemon.start(dir, "-u", "nobody", "-l", logins.toString(), upstream.server())) {
            if (Launcher.runsAsRoot()) {
                String status = Files.readString(Path.of("/proc", Long.toString(d.pid()), "status"));
                String uid = Integer.toString(Launcher.uidOf("nobody"));
                assertTrue(Pattern.compile("(?m)^Uid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "$")
                        .matcher(status).find(), status);
                assertTrue(Pattern.compile("(?m)^Groups:\\s*$").matcher(status).find(), status);
            }
            try (Pop3Script c = new Pop3Script(d.port())) {
                long before = Instant.now().getEpochSecond();
                assertTrue(login(c, Upstream.USER, Upstream.PASSWORD).startsWith("+OK"));
                assertLoginLine(file, before);
                Object inode = Files.getAttribute(file, "unix:ino");
                if (Launcher.runsAsRoot()) {
                    assertEquals(Launcher.uidOf("nobody"), owner(file), "written after the drop");
                }
                c.send("QUIT").expectStartsWith("+OK");
                c.expectClosed();
                assertNotEquals(inode, Files.getAttribute(file, "unix:ino"), "rewritten (a new file) at QUIT");
                assertLoginLine(file, before);
            }
        }
    }

    private static void assertLoginLine(Path file, long notBefore) throws IOException {
        String line = Files.readString(file, StandardCharsets.US_ASCII);
        String[] f = line.split(" ");
        assertEquals(4, f.length, line);
        assertTrue(Long.parseLong(f[0]) >= notBefore && Long.parseLong(f[0]) <= Instant.now().getEpochSecond(), line);
        assertEquals(" 127.0.0.1 bob " + upstream.server() + "\n", line.substring(f[0].length()));
    }

    @Test
    void inetdDropsToNobodyByDefaultBeforeTheFirstByte() throws Exception {
        assumeTrue(Launcher.runsAsRoot(), "only root changes its user");
        Path logins = Launcher.sharedDir(dir, "logins");
        Launcher.Inetd proxy = inetd("-l", logins.toString(), upstream.server());
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            assertTrue(login(c, Upstream.USER, Upstream.PASSWORD).startsWith("+OK"));
            assertEquals(Launcher.uidOf("nobody"), owner(logins.resolve("127.0.0.1")));
            c.send("QUIT").expectStartsWith("+OK");
        }
        assertEquals(0, proxy.exitCode());
        assertLoginLine(logins.resolve("127.0.0.1"), 0);
    }

    @Test
    void anUnknownUserIsExit1AndTheGreetedClientIsToldSoInPop3() throws Exception {
        assumeTrue(Launcher.runsAsRoot(), "only root changes its user");
        Launcher.Inetd proxy = inetd("-u", "no-such-user-here", upstream.server());
        try (Pop3Script c = new Pop3Script(proxy.port())) {
            // The greeting goes out once the command line has been read, before the change of user.
            c.expect("+OK POP3 proxy ready");
            c.expect(Main.UNAVAILABLE);
            c.expectClosed();
        }
        assertEquals(1, proxy.exitCode());
        Launcher.Result r = Launcher.run(List.of(Launcher.script().toString(), "-d", "-DD", "127.0.0.1:0",
                "-u", "no-such-user-here", upstream.server()), dir);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("cannot run as no-such-user-here: unknown user: no-such-user-here"), r.err());
    }

    // ---- -q: the source address of the upstream connection

    @Test
    void minusQBindsTheUpstreamSourceAddress() throws Exception {
        InetAddress alias = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress(alias, 0));
        } catch (IOException e) {
            assumeTrue(false, "127.0.0.2 is not usable here: " + e);
        }
        try (Relay relay = Relay.to(upstream.port())) {
            Launcher.Inetd proxy = inetd("-q", "127.0.0.2", "127.0.0.1:" + relay.port());
            try (Pop3Script c = new Pop3Script(proxy.port())) {
                assertTrue(login(c, Upstream.USER, Upstream.PASSWORD).startsWith("+OK"));
                c.send("QUIT").expectStartsWith("+OK");
            }
            assertEquals(0, proxy.exitCode());
            try (Daemon d = Daemon.start(dir, "-q", "127.0.0.2", "127.0.0.1:" + relay.port());
                    Pop3Script c = new Pop3Script(d.port())) {
                assertTrue(login(c, Upstream.USER, Upstream.PASSWORD).startsWith("+OK"));
                c.send("QUIT").expectStartsWith("+OK");
            }
            assertEquals(List.of(alias, alias), relay.peers(), "without -q it would be 127.0.0.1");
        }
    }
}
