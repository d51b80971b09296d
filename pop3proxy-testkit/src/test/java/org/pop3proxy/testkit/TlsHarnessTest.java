package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;
import org.pop3proxy.engine.UpstreamTls;

/** The TLS harness: GreenMail POP3S upstream, STLS and POP3S towards clients, certificates checked. */
class TlsHarnessTest {
    private static final String MESSAGE = "From: alice@example.org\r\nTo: bob@example.org\r\n"
            + "Subject: over TLS\r\nMessage-ID: <tls-1@example.org>\r\n\r\n"
            + "Hello Bob,\r\n.a line starting with a dot\r\nbye\r\n";

    @RegisterExtension
    final Pop3ProxyExtension pop3 = new Pop3ProxyExtension()
            .withTls()
            .withUser("bob", "bob-secret")
            .withMessage("bob", MESSAGE);

    @Test
    void upstreamIsGreenMailPop3sVerifiedAgainstTheHarnessCertificate() {
        Pop3ProxyHarness h = pop3.harness();
        assertTrue(h.isTls());
        assertEquals(pop3.greenMail().getPop3s().getPort(), h.upstreamPort());
        UpstreamTls upstream = h.config().upstreamTls();
        assertEquals(UpstreamTls.Mode.IMPLICIT, upstream.mode());
        assertFalse(upstream.trust().isInsecure(), "the proxy must verify GreenMail's certificate");
        assertTrue(h.config().clientTls().isPresent());
        assertNotEquals(h.proxyPort(), h.proxyTlsPort());
    }

    @Test
    void stlsThenUserPassRetrThroughTheProxy() {
        try (ScriptClient c = pop3.client()) {
            c.expect("+OK POP3 proxy ready");
            c.send("CAPA").expect("+OK Capability list follows");
            assertTrue(capabilities(c).contains("STLS"));
            c.stls();
            SSLSession session = c.tlsSession().orElseThrow();
            assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(session.getProtocol()), session.getProtocol());
            c.send("USER bob").expect("+OK password required");
            c.send("PASS bob-secret").expectStartsWith("+OK");
            c.send("RETR 1").expectStartsWith("+OK");
            String text = new String(Pop3Bytes.dotUnstuff(c.readMultiline()), StandardCharsets.US_ASCII);
            assertTrue(text.contains("Subject: over TLS\r\n"), text);
            assertTrue(text.endsWith("\r\n\r\nHello Bob,\r\n.a line starting with a dot\r\nbye\r\n"), text);
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
    }

    @Test
    void stlsIsNotOfferedTwice() {
        try (ScriptClient c = pop3.client()) {
            c.expectStartsWith("+OK");
            c.stls();
            c.send("STLS").expect("-ERR TLS already active");
        }
    }

    @Test
    void implicitTlsListenerServesTheMailbox() {
        try (ScriptClient c = pop3.tlsClient()) {
            assertTrue(c.tlsSession().isPresent());
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS bob-secret").expectStartsWith("+OK");
            c.send("STAT").expectStartsWith("+OK 1 ");
            c.send("QUIT").expectStartsWith("+OK");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheHarnessCertificateFailsTheHandshake() throws Exception {
        SSLContext systemTrust = SSLContext.getInstance("TLS");
        systemTrust.init(null, null, null);
        InetSocketAddress pop3s = pop3.harness().proxyTlsAddress();
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> ScriptClient.connectTls(pop3s, ScriptClient.DEFAULT_TIMEOUT, systemTrust.getSocketFactory()));
        assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
    }

    @Test
    void theCertificateNamesTheLoopbackAddressesItIsCheckedAgainst() throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(pop3.harness().certificateFile())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        List<String> names = new ArrayList<>();
        for (List<?> name : cert.getSubjectAlternativeNames()) {
            names.add(String.valueOf(name.get(1)));
        }
        assertTrue(names.contains("127.0.0.1"), names.toString());
        assertTrue(names.contains("localhost"), names.toString());
        cert.checkValidity();
        String key = Files.readString(TestCertificate.shared().keyFile(), StandardCharsets.US_ASCII);
        assertTrue(key.startsWith("-----BEGIN PRIVATE KEY-----\n"), key);
    }

    @Test
    void localhostIsAcceptedAndAnotherNameIsNot() throws Exception {
        SSLSocketFactory tls = pop3.sslSocketFactory();
        int port = pop3.proxyTlsPort();
        byte[] loopback = {127, 0, 0, 1};
        InetSocketAddress localhost = new InetSocketAddress(InetAddress.getByAddress("localhost", loopback), port);
        try (ScriptClient c = ScriptClient.connectTls(localhost, ScriptClient.DEFAULT_TIMEOUT, tls)) {
            c.expect("+OK POP3 proxy ready");
        }
        InetSocketAddress other = new InetSocketAddress(InetAddress.getByAddress("pop.example.org", loopback), port);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> ScriptClient.connectTls(other, ScriptClient.DEFAULT_TIMEOUT, tls));
        assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
    }

    @Test
    void tlsRequiredRefusesUserBeforeStls() {
        pop3.harness().reconfigure(b -> b.tlsRequired(true));
        try (ScriptClient c = pop3.client()) {
            c.expectStartsWith("+OK");
            c.send("USER bob").expect("-ERR TLS required, use STLS");
            c.stls();
            c.send("USER bob").expect("+OK password required");
            c.send("PASS bob-secret").expectStartsWith("+OK");
        }
        try (ScriptClient c = pop3.tlsClient()) {
            c.expectStartsWith("+OK");
            c.send("USER bob").expect("+OK password required");
        }
    }

    @Test
    void plainHarnessHasNoTls() {
        try (Pop3ProxyHarness plain = Pop3ProxyHarness.builder().start()) {
            assertFalse(plain.isTls());
            assertThrows(IllegalStateException.class, plain::sslContext);
            assertThrows(IllegalStateException.class, plain::proxyTlsPort);
            try (ScriptClient c = plain.client()) {
                c.expectStartsWith("+OK");
                assertThrows(IllegalStateException.class, c::stls);
            }
        }
    }

    @Test
    void greenMailsBuiltInCertificateNamesNoHostSoTheHarnessBringsItsOwn() throws Exception {
        KeyStore builtIn = KeyStore.getInstance("PKCS12");
        try (InputStream in = GreenMail.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
            builtIn.load(in, "changeit".toCharArray());
        }
        X509Certificate theirs = (X509Certificate) builtIn.getCertificate(builtIn.aliases().nextElement());
        assertFalse(TestCertificate.namesLoopback(theirs));
        assertTrue(TestCertificate.namesLoopback(TestCertificate.shared().certificate()));
    }

    @Test
    void stlsFailsWhenTheServerSendsDataAfterItsOk() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.US_ASCII));
                    if ("STLS".equals(in.readLine())) {
                        out.write("+OK go ahead\r\n+OK injected\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    in.readLine();
                } catch (IOException ignored) {
                    // The client hangs up once it has seen the injected line.
                }
            });
            server.start();
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            try (ScriptClient c = ScriptClient.connect(address, ScriptClient.DEFAULT_TIMEOUT, pop3.sslSocketFactory())) {
                c.expect("+OK ready");
                AssertionFailedError e = assertThrows(AssertionFailedError.class, c::stls);
                assertTrue(e.getMessage().contains("more bytes after its STLS +OK"), e.getMessage());
                assertFalse(c.tlsSession().isPresent());
            }
            server.join(ScriptClient.DEFAULT_TIMEOUT.toMillis());
        }
    }

    private static List<String> capabilities(ScriptClient c) {
        String body = new String(c.readMultiline(), StandardCharsets.US_ASCII);
        return body.lines().toList();
    }
}
