package org.pop3proxy.engine;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real clients through the proxy: curl and Python's poplib, with STLS and with implicit TLS. */
class ClientProgramsTlsTest {
    private static final String MESSAGE = "Subject: through tls\r\nFrom: a@example.org\r\n\r\nline one\r\n.dot line\r\n";

    private final TestCerts certs = TestCerts.get();
    private GreenMail greenMail;
    private ProxyServer stls;
    private ProxyServer pop3s;

    @BeforeEach
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        greenMail.setUser("bob@example.org", "bob", "secret").deliver(new MimeMessage(
                jakarta.mail.Session.getInstance(new Properties()),
                new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII))));
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(
                ServerTarget.of("127.0.0.1", greenMail.getPop3().getPort()))).clientTls(certs.clientTls()).build();
        Pop3Proxy p = Pop3Proxy.create(config);
        stls = p.listen(new InetSocketAddress("127.0.0.1", 0));
        pop3s = p.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.PLAIN.withImplicitTls(true));
    }

    @AfterEach
    void stop() throws IOException {
        stls.close();
        pop3s.close();
        greenMail.stop();
    }

    private static String run(String... cmd) throws Exception {
        Assumptions.assumeTrue(onPath(cmd[0]), cmd[0] + " not installed");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out");
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed: " + err);
        return out;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static void assertMessage(String got) {
        assertTrue(got.contains("Subject: through tls"), got);
        assertTrue(got.contains("line one"), got);
    }

    @Test
    void curlWithStls() throws Exception {
        String out = run("curl", "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", certs.cert.toString(),
                "pop3://127.0.0.1:" + stls.port() + "/1", "-u", "bob:secret");
        assertMessage(out);
        assertTrue(out.contains("\r\n.dot line\r\n"), out);
    }

    @Test
    void curlWithImplicitTls() throws Exception {
        String out = run("curl", "-sS", "--max-time", "20", "-k", "pop3s://127.0.0.1:" + pop3s.port() + "/1",
                "-u", "bob:secret");
        assertMessage(out);
    }

    private static final String PYTHON = String.join("\n",
            "import poplib, ssl, sys",
            "mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]",
            "ctx = ssl.create_default_context(cafile=ca)",
            "if mode == 'stls':",
            "    p = poplib.POP3('127.0.0.1', port, timeout=20)",
            "    p.stls(context=ctx)",
            "else:",
            "    p = poplib.POP3_SSL('127.0.0.1', port, context=ctx, timeout=20)",
            "p.user('bob')",
            "p.pass_('secret')",
            "resp, lines, octets = p.retr(1)",
            "sys.stdout.write('\\n'.join(l.decode('latin-1') for l in lines))",
            "p.quit()",
            "");

    @Test
    void pythonPoplibWithStlsAndVerification() throws Exception {
        assertMessage(run("python3", "-c", PYTHON, "stls", Integer.toString(stls.port()), certs.cert.toString()));
    }

    @Test
    void pythonPoplibOverPop3s() throws Exception {
        assertMessage(run("python3", "-c", PYTHON, "pop3s", Integer.toString(pop3s.port()), certs.cert.toString()));
    }

    @Test
    void curlRefusesAnUntrustedProxyCertificate() throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "curl not installed");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--ssl-reqd",
                "pop3://127.0.0.1:" + stls.port() + "/1", "-u", "bob:secret"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(60, p.exitValue(), "curl: peer certificate cannot be authenticated");
    }
}
