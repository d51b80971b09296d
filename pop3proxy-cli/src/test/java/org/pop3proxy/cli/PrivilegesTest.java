package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drops privileges for real, in a JVM of its own ({@link PrivilegesProbe}), since a drop cannot
 * be undone. Needs root, as CI has; skipped otherwise.
 */
class PrivilegesTest {
    @TempDir
    Path dir;

    Map<String, String> probe(String user) throws IOException, InterruptedException {
        Path rootOnly = Files.writeString(dir.resolve("root-only"), "root\n");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rw-------"));
        Path logins = Files.createDirectory(dir.resolve("logins"));
        Files.setPosixFilePermissions(logins, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PrivilegesProbe.class.getName(), user, rootOnly.toString(), logins.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe hung");
        assertEquals(0, p.exitValue(), output);
        Map<String, String> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertEquals("root\n", Files.readString(rootOnly), output);
        values.put("raw", output);
        return values;
    }

    static boolean root() {
        return LibC.geteuid() == 0;
    }

    @Test
    void dropsToNobodyInEveryThreadForGood() throws Exception {
        assumeTrue(root(), "needs root");
        Map<String, String> v = probe("nobody");
        String raw = v.get("raw");
        assertEquals("Dropped[uid=65534, gid=65534]", v.get("outcome"), raw);
        assertEquals("65534 65534 65534 65534", v.get("status-uid"), raw);
        assertEquals("65534 65534 65534 65534", v.get("status-gid"), raw);
        assertEquals("", v.get("status-groups"), raw);
        assertTrue(Integer.parseInt(v.get("tasks")) > 5, raw);
        assertEquals("65534 65534 65534 65534", v.get("task-uids"), raw);
        assertEquals("denied", v.get("root-file"), raw);
        assertEquals("65534", v.get("login-file-uid"), raw);
        assertEquals("refused", v.get("regain"), raw);
        assertEquals("NotRoot[euid=65534]", v.get("second"), raw);
    }

    @Test
    void dropsToANumericUidAndGid() throws Exception {
        assumeTrue(root(), "needs root");
        Map<String, String> v = probe("12345.54321");
        String raw = v.get("raw");
        assertEquals("Dropped[uid=12345, gid=54321]", v.get("outcome"), raw);
        assertEquals("12345 12345 12345 12345", v.get("task-uids"), raw);
        assertEquals("54321 54321 54321 54321", v.get("status-gid"), raw);
        assertEquals("denied", v.get("root-file"), raw);
        assertEquals("12345", v.get("login-file-uid"), raw);
        assertEquals("refused", v.get("regain"), raw);
    }

    @Test
    void aBareUidTakesTheGroupOfItsPasswdEntry() throws Exception {
        assumeTrue(root(), "needs root");
        Map<String, String> v = probe("65534");
        assertEquals("Dropped[uid=65534, gid=65534]", v.get("outcome"), v.get("raw"));
    }

    @Test
    void unknownOrMalformedUsersFailWithoutChangingAnything() {
        assumeTrue(root(), "needs root");
        for (String user : List.of("no-such-user-pop3proxy", "", "99999999999", "4294967295", "1.2.3",
                "-1", "nobody\0root", "4242")) {
            Privileges.Failed f = assertInstanceOf(Privileges.Failed.class, Privileges.drop(user), user);
            assertTrue(!f.message().isEmpty());
        }
        assertEquals(0, LibC.geteuid());
        assertEquals(0, LibC.getuid());
    }
}
