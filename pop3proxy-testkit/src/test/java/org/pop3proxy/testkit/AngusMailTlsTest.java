package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.IOException;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.eclipse.angus.mail.pop3.POP3Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real mail client, Angus Mail, fetching through the proxy over STLS and over POP3S. */
class AngusMailTlsTest {
    private static final String MESSAGE = "From: alice@example.org\r\nTo: bob@example.org\r\n"
            + "Subject: Angus over TLS\r\nMessage-ID: <angus-1@example.org>\r\n\r\n"
            + "Hello Bob,\r\nthis came through the proxy.\r\n";

    @RegisterExtension
    final Pop3ProxyExtension pop3 = new Pop3ProxyExtension()
            .withTls()
            .withUser("bob", "bob-secret")
            .withMessage("bob", MESSAGE)
            .withConfig(b -> b.tlsRequired(true));

    @Test
    void fetchesWithStls() throws Exception {
        Properties props = new Properties();
        props.put("mail.pop3.host", "127.0.0.1");
        props.put("mail.pop3.port", String.valueOf(pop3.proxyPort()));
        props.put("mail.pop3.starttls.enable", "true");
        props.put("mail.pop3.starttls.required", "true");
        props.put("mail.pop3.ssl.socketFactory", pop3.sslSocketFactory());
        props.put("mail.pop3.ssl.checkserveridentity", "true");
        timeouts(props, "pop3");
        assertFetches(props, "pop3");
    }

    @Test
    void fetchesWithPop3s() throws Exception {
        Properties props = new Properties();
        props.put("mail.pop3s.host", "127.0.0.1");
        props.put("mail.pop3s.port", String.valueOf(pop3.proxyTlsPort()));
        props.put("mail.pop3s.ssl.socketFactory", pop3.sslSocketFactory());
        props.put("mail.pop3s.ssl.checkserveridentity", "true");
        timeouts(props, "pop3s");
        assertFetches(props, "pop3s");
    }

    @Test
    void pop3sWithoutTrustingTheHarnessCertificateFails() throws Exception {
        SSLContext systemTrust = SSLContext.getInstance("TLS");
        systemTrust.init(null, null, null);
        Properties props = new Properties();
        props.put("mail.pop3s.host", "127.0.0.1");
        props.put("mail.pop3s.port", String.valueOf(pop3.proxyTlsPort()));
        props.put("mail.pop3s.ssl.socketFactory", systemTrust.getSocketFactory());
        timeouts(props, "pop3s");
        Store store = Session.getInstance(props).getStore("pop3s");
        assertThrows(MessagingException.class, () -> store.connect("bob", "bob-secret"));
    }

    private static void timeouts(Properties props, String protocol) {
        props.put("mail." + protocol + ".connectiontimeout", "5000");
        props.put("mail." + protocol + ".timeout", "5000");
    }

    private static void assertFetches(Properties props, String protocol) throws MessagingException, IOException {
        Store store = Session.getInstance(props).getStore(protocol);
        store.connect("bob", "bob-secret");
        try {
            assertTrue(((POP3Store) store).isSSL(), "the connection must be TLS");
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                assertEquals(1, inbox.getMessageCount());
                Message message = inbox.getMessage(1);
                assertEquals("Angus over TLS", message.getSubject());
                assertEquals("Hello Bob,\r\nthis came through the proxy.\r\n", message.getContent());
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }
}
