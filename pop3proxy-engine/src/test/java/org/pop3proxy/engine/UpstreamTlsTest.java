package org.pop3proxy.engine;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server side: implicit TLS and STLS, verified, with no plaintext fallback. */
class UpstreamTlsTest {
    private final TestCerts certs = TestCerts.get();
    private ProxyServer proxy;
    private GreenMail greenMail;
    private TlsUpstreamServer upstream;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (greenMail != null) {
            greenMail.stop();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private Pop3Client proxyTo(String host, int port, UpstreamTls tls) throws IOException {
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of(host, port)))
                .upstreamTls(tls).build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
        Pop3Client c = new Pop3Client(proxy.port());
        c.expect("+OK POP3 proxy ready");
        c.send("USER bob").expect("+OK password required");
        return c;
    }

    private int greenMail(String protocol) throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", protocol));
        greenMail.start();
        GreenMailUser bob = greenMail.setUser("bob@example.org", "bob", "secret");
        bob.deliver(new MimeMessage(jakarta.mail.Session.getInstance(new Properties()), new ByteArrayInputStream(
                "Subject: over tls\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII))));
        return protocol.equals(ServerSetup.PROTOCOL_POP3S) ? greenMail.getPop3s().getPort() : greenMail.getPop3().getPort();
    }

    @Test
    void implicitTlsToGreenMailWhenInsecureIsChosen() throws Exception {
        int port = greenMail(ServerSetup.PROTOCOL_POP3S);
        try (Pop3Client c = proxyTo("127.0.0.1", port, UpstreamTls.implicit(UpstreamTls.Trust.insecure()))) {
            c.send("PASS secret").expectStartsWith("+OK");
            c.send("RETR 1").expectStartsWith("+OK");
            assertTrue(new String(c.readBody(), StandardCharsets.ISO_8859_1).contains("Subject: over tls"));
            c.send("QUIT").expectStartsWith("+OK");
        }
    }

    @Test
    void greenMailsSelfSignedCertificateFailsTheSystemTrust() throws Exception {
        int port = greenMail(ServerSetup.PROTOCOL_POP3S);
        try (Pop3Client c = proxyTo("127.0.0.1", port, UpstreamTls.implicit(UpstreamTls.Trust.system()))) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
    }

    @Test
    void stlsToAServerWithoutStlsFailsWithoutFallback() throws Exception {
        int port = greenMail(ServerSetup.PROTOCOL_POP3);
        try (Pop3Client c = proxyTo("127.0.0.1", port, UpstreamTls.stls(UpstreamTls.Trust.insecure()))) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
    }

    @Test
    void implicitTlsVerifiedWithACaFile() throws Exception {
        upstream = new TlsUpstreamServer(certs.clientTls(), true, "");
        UpstreamTls tls = UpstreamTls.implicit(UpstreamTls.Trust.caFile(certs.cert));
        try (Pop3Client c = proxyTo("localhost", upstream.port(), tls)) {
            c.send("PASS secret").expect("+OK");
            c.send("RETR 1").expect("+OK");
            assertTrue(new String(c.readBody(), StandardCharsets.ISO_8859_1).contains("secret mail"));
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(List.of("tls:USER bob", "tls:PASS secret", "tls:RETR 1", "tls:QUIT"), upstream.received);
    }

    @Test
    void aCertificateForAnotherNameIsRefusedBeforeUser() throws Exception {
        upstream = new TlsUpstreamServer(ClientTls.fromPem(certs.otherCert, certs.otherKey), true, "");
        UpstreamTls tls = UpstreamTls.implicit(UpstreamTls.Trust.caFile(certs.otherCert));
        try (Pop3Client c = proxyTo("127.0.0.1", upstream.port(), tls)) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(List.of(), upstream.received);
    }

    @Test
    void stlsVerifiedThenUserAndPassOnlyOverTls() throws Exception {
        upstream = new TlsUpstreamServer(certs.clientTls(), false, "+OK Begin TLS\r\n");
        UpstreamTls tls = UpstreamTls.stls(UpstreamTls.Trust.caFile(certs.cert));
        try (Pop3Client c = proxyTo("127.0.0.1", upstream.port(), tls)) {
            c.send("PASS secret").expect("+OK");
            c.send("QUIT").expect("+OK bye");
        }
        assertEquals(List.of("plain:STLS", "tls:USER bob", "tls:PASS secret", "tls:QUIT"), upstream.received);
    }

    @Test
    void stlsRefusedByTheServerSendsNoCredentials() throws Exception {
        upstream = new TlsUpstreamServer(certs.clientTls(), false, "-ERR no TLS here\r\n");
        try (Pop3Client c = proxyTo("127.0.0.1", upstream.port(), UpstreamTls.stls(UpstreamTls.Trust.caFile(certs.cert)))) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(List.of("plain:STLS"), upstream.received);
    }

    @Test
    void dataInjectedAfterTheServersStlsOkAbortsBeforeUser() throws Exception {
        upstream = new TlsUpstreamServer(certs.clientTls(), false, "+OK Begin TLS\r\n+OK injected\r\n");
        try (Pop3Client c = proxyTo("127.0.0.1", upstream.port(), UpstreamTls.stls(UpstreamTls.Trust.caFile(certs.cert)))) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(List.of("plain:STLS"), upstream.received);
    }

    @Test
    void stlsWithAnUntrustedCertificateSendsNoCredentials() throws Exception {
        upstream = new TlsUpstreamServer(ClientTls.fromPem(certs.otherCert, certs.otherKey), false, "+OK Begin TLS\r\n");
        try (Pop3Client c = proxyTo("127.0.0.1", upstream.port(), UpstreamTls.stls(UpstreamTls.Trust.caFile(certs.cert)))) {
            c.send("PASS secret").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(List.of("plain:STLS"), upstream.received);
    }

    @Test
    void modesParseAndBadCaFilesAreNamed() {
        assertEquals(UpstreamTls.Mode.STLS, UpstreamTls.Mode.parse("STLS"));
        assertEquals(UpstreamTls.Mode.IMPLICIT, UpstreamTls.Mode.parse("implicit"));
        assertEquals(UpstreamTls.NONE, UpstreamTls.of(UpstreamTls.Mode.parse("none"), UpstreamTls.Trust.system()));
        assertThrows(IllegalArgumentException.class, () -> UpstreamTls.Mode.parse("starttls"));
        IOException e = assertThrows(IOException.class, () -> UpstreamTls.Trust.caFile(certs.key));
        assertTrue(e.getMessage().startsWith(certs.key.toString()), e.getMessage());
    }
}
