package org.pop3proxy.engine;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertTrue;

class GreenMailProxyTest {
    private GreenMail greenMail;
    private ProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        GreenMailUser bob = greenMail.setUser("bob@example.org", "bob", "secret");
        bob.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(
                "Subject: hello\r\nFrom: a@example.org\r\n\r\nfirst line\r\n.dot line\r\n".getBytes(StandardCharsets.US_ASCII))));
        int upstreamPort = greenMail.getPop3().getPort();
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstreamPort))).build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        greenMail.stop();
    }

    @Test
    void fetchesAMessageThroughTheProxy() throws Exception {
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expectStartsWith("+OK");
            c.send("STAT").expectStartsWith("+OK 1 ");
            c.send("RETR 1").expectStartsWith("+OK");
            String body = new String(c.readBody(), StandardCharsets.ISO_8859_1);
            assertTrue(body.contains("Subject: hello\r\n"), body);
            assertTrue(body.contains("\r\n..dot line\r\n"), body);
            assertTrue(body.endsWith("\r\n.\r\n"), body);
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
    }

    @Test
    void wrongPasswordIsABadLoginAndAClose() throws Exception {
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS wrong").expect("-ERR bad login");
            c.expectClosed();
        }
        // The failed session left nothing behind that stands in the way of the next one.
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS secret").expectStartsWith("+OK");
            c.send("STAT").expectStartsWith("+OK 1 ");
        }
    }
}
