package org.pop3proxy.testkit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pop3proxy.testkit.Pop3Bytes;
import org.pop3proxy.testkit.Pop3ProxyExtension;
import org.pop3proxy.testkit.ScriptClient;

class TlsMailThroughProxyTest {
    @RegisterExtension
    final Pop3ProxyExtension pop3 = new Pop3ProxyExtension()
            .withTls()
            .withUser("bob", "secret")
            .withMessage("bob", "Subject: hello\r\n\r\nHi Bob!\r\n")
            .withConfig(config -> config.tlsRequired(true));

    @Test
    void fetchesMailAfterStls() {
        try (ScriptClient client = pop3.client()) {
            client.expect("+OK POP3 proxy ready");
            client.send("USER bob").expect("-ERR TLS required, use STLS");
            client.stls();
            client.send("USER bob").expect("+OK password required");
            client.send("PASS secret").expectStartsWith("+OK");
            client.send("RETR 1").expectStartsWith("+OK");
            byte[] body = Pop3Bytes.dotUnstuff(client.readMultiline());
            assertTrue(new String(body, StandardCharsets.UTF_8).endsWith("\r\n\r\nHi Bob!\r\n"));
            client.send("QUIT").expectStartsWith("+OK");
            client.expectClosed();
        }
    }

    @Test
    void aMailClientFetchesOverPop3s() throws Exception {
        Properties props = new Properties();
        props.put("mail.pop3s.host", "127.0.0.1");
        props.put("mail.pop3s.port", String.valueOf(pop3.proxyTlsPort()));
        props.put("mail.pop3s.ssl.socketFactory", pop3.sslSocketFactory());
        props.put("mail.pop3s.ssl.checkserveridentity", "true");
        Store store = Session.getInstance(props).getStore("pop3s");
        store.connect("bob", "secret");
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message message = inbox.getMessage(1);
            assertEquals("hello", message.getSubject());
            assertEquals("Hi Bob!\r\n", message.getContent());
            inbox.close(false);
        } finally {
            store.close();
        }
    }
}
