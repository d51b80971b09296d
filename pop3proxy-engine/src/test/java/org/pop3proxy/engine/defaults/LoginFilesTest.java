package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.LoginRecord;
import org.pop3proxy.api.ServerTarget;

class LoginFilesTest {
    static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 110);

    @TempDir
    Path dir;

    static ClientInfo client(String ip) throws Exception {
        return new ClientInfo(LOCAL, new InetSocketAddress(InetAddress.getByName(ip), 40000));
    }

    static LoginRecord record(ClientInfo client, long epoch, String login, String server) {
        return new LoginRecord(Instant.ofEpochSecond(epoch), client, login, new ServerTarget("h", 110, server));
    }

    @Test
    void writesOneLineAfterLoginAndAgainAtQuit() throws Exception {
        ClientInfo c = client("192.0.2.7");
        LoginFiles files = LoginFiles.in(dir);
        files.loggedIn(record(c, 1700000000L, "bob", "pop.example.com:995"));
        Path file = dir.resolve("192.0.2.7");
        assertEquals("1700000000 192.0.2.7 bob pop.example.com:995\n", Files.readString(file));
        files.quit(record(c, 1700000100L, "bob", "pop.example.com:995"));
        assertEquals("1700000100 192.0.2.7 bob pop.example.com:995\n", Files.readString(file));
        try (var list = Files.list(dir)) {
            assertEquals(List.of(file), list.toList());
        }
    }

    @Test
    void sessionStartRemovesTheFileAndFailuresAreNotThrown() throws Exception {
        ClientInfo c = client("192.0.2.7");
        LoginFiles files = LoginFiles.in(dir);
        files.loggedIn(record(c, 1, "bob", "s"));
        assertTrue(Files.exists(dir.resolve("192.0.2.7")));
        files.sessionStarted(c);
        assertFalse(Files.exists(dir.resolve("192.0.2.7")));
        files.sessionStarted(c);
        LoginFiles missing = LoginFiles.in(dir.resolve("no/such/dir"));
        missing.sessionStarted(c);
        missing.loggedIn(record(c, 1, "bob", "s"));
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void blanksAndControlsInFieldsCannotForgeLines() throws Exception {
        ClientInfo c = client("192.0.2.7");
        LoginFiles.in(dir).loggedIn(record(c, 5, "bob x\n6 192.0.2.8 eve", ""));
        assertEquals("5 192.0.2.7 bob?x?6?192.0.2.8?eve -\n", Files.readString(dir.resolve("192.0.2.7")));
    }

    @Test
    void aPlantedSymlinkIsReplacedNotFollowed() throws Exception {
        Path target = Files.writeString(dir.resolve("victim"), "precious\n");
        Path link = dir.resolve("192.0.2.7");
        Files.createSymbolicLink(link, target);
        LoginFiles files = LoginFiles.in(dir);
        files.loggedIn(record(client("192.0.2.7"), 9, "bob", "s"));
        assertEquals("precious\n", Files.readString(target));
        assertFalse(Files.isSymbolicLink(link));
        assertEquals("9 192.0.2.7 bob s\n", Files.readString(link, java.nio.charset.StandardCharsets.US_ASCII));

        Files.delete(link);
        Files.createSymbolicLink(link, target);
        files.sessionStarted(client("192.0.2.7"));
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals("precious\n", Files.readString(target));
    }

    @Test
    void aPlantedDirectoryIsLoggedNotFatal() throws Exception {
        Files.createDirectory(dir.resolve("192.0.2.7"));
        Files.writeString(dir.resolve("192.0.2.7").resolve("keep"), "x");
        LoginFiles.in(dir).loggedIn(record(client("192.0.2.7"), 9, "bob", "s"));
        assertTrue(Files.isDirectory(dir.resolve("192.0.2.7")));
        try (var list = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("192.0.2.7")), list.toList(), "temporary file left behind");
        }
    }

    @Test
    void ipv6ClientNamesHoldNoSlashOrZone() throws Exception {
        assertEquals("2001:db8::1", LoginFiles.fileName(client("2001:0db8:0:0:0:0:0:1")).orElseThrow());
        assertEquals("::1", LoginFiles.fileName(client("::1")).orElseThrow());
        assertEquals("fe80::1", LoginFiles.fileName(client("fe80::1%1")).orElseThrow());
        assertEquals("2001:db8:0:1:1:1:1:1", LoginFiles.fileName(client("2001:db8:0:1:1:1:1:1")).orElseThrow());
        assertEquals("2001:0:0:1::1", LoginFiles.fileName(client("2001:0:0:1:0:0:0:1")).orElseThrow());
        assertEquals("1::", LoginFiles.fileName(client("1::")).orElseThrow());
        ClientInfo v6 = client("2001:db8::7");
        LoginFiles.in(dir).loggedIn(record(v6, 3, "bob", "[::1]:110"));
        assertEquals("3 2001:db8::7 bob [::1]:110\n", Files.readString(dir.resolve("2001:db8::7")));
        ClientInfo unresolved = new ClientInfo(LOCAL, InetSocketAddress.createUnresolved("../etc/x", 1));
        LoginFiles.in(dir).loggedIn(record(unresolved, 3, "bob", "s"));
        try (var list = Files.list(dir)) {
            assertEquals(1, list.count());
        }
    }

    @Test
    void readersNeverSeeAPartialFile() throws Exception {
        ClientInfo c = client("192.0.2.9");
        LoginFiles files = LoginFiles.in(dir);
        Path file = dir.resolve("192.0.2.9");
        String login = "u".repeat(3000);
        files.loggedIn(record(c, 1000, login, "s"));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                while (!stop.get()) {
                    try {
                        String s = Files.readString(file);
                        assertTrue(s.matches("\\d{4} 192\\.0\\.2\\.9 u{3000} s\n"), "partial: " + s.length());
                        reads++;
                    } catch (NoSuchFileException e) {
                        throw new AssertionError("file vanished during a replace");
                    }
                }
                return reads;
            });
            for (int i = 0; i < 500; i++) {
                files.quit(record(c, 1000 + i % 9000, login, "s"));
            }
            stop.set(true);
            assertTrue(reader.get() > 0);
        } finally {
            pool.shutdownNow();
        }
    }
}
