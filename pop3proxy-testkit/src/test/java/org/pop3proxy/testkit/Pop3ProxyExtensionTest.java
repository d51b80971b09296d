package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A GreenMail mailbox fetched through the real proxy, set up by the extension. */
class Pop3ProxyExtensionTest {
    private static final String MESSAGE = "From: alice@example.org\r\nTo: bob@example.org\r\n"
            + "Subject: through the proxy\r\nMessage-ID: <1@example.org>\r\n\r\n"
            + "Hello Bob,\r\n.a line starting with a dot\r\nbye\r\n";

    @RegisterExtension
    final Pop3ProxyExtension pop3 = new Pop3ProxyExtension()
            .withUser("bob", "bob-secret")
            .withMessage("bob", MESSAGE);

    @Test
    void fetchesAGreenMailMessageThroughTheProxy() {
        assertNotEquals(pop3.harness().upstreamPort(), pop3.proxyPort());
        try (ScriptClient c = pop3.client()) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS bob-secret").expectStartsWith("+OK");
            c.send("STAT").expectStartsWith("+OK 1 ");
            c.send("RETR 1").expectStartsWith("+OK");
            byte[] body = Pop3Bytes.dotUnstuff(c.readMultiline());
            String text = new String(body, StandardCharsets.US_ASCII);
            assertEquals("Subject: through the proxy", text.lines()
                    .filter(l -> l.startsWith("Subject:")).findFirst().orElse(""));
            assertTrue(text.endsWith("\r\n\r\nHello Bob,\r\n.a line starting with a dot\r\nbye\r\n"), text);
            c.send("QUIT").expectStartsWith("+OK");
            c.expectClosed();
        }
    }

    @Test
    void deliversRawBytesDuringATest() {
        pop3.deliver("bob", "Subject: second\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        try (ScriptClient c = pop3.login("bob", "bob-secret")) {
            c.send("STAT").expectStartsWith("+OK 2 ");
            c.send("TOP 2 0").expect("+OK");
            byte[] head = c.readMultiline();
            assertTrue(new String(head, StandardCharsets.US_ASCII).contains("Subject: second\r\n"));
        }
    }

    @Test
    void wrongPasswordIsABadLogin() {
        try (ScriptClient c = pop3.client()) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER bob").expect("+OK password required");
            c.send("PASS wrong").expect("-ERR bad login");
            c.expectClosed();
        }
    }

    @Test
    void reconfigureStartsANewProxy() {
        int before = pop3.proxyPort();
        pop3.harness().reconfigure(b -> b.greeting("+OK another greeting"));
        assertNotEquals(before, pop3.proxyPort());
        try (ScriptClient c = pop3.client()) {
            c.expect("+OK another greeting");
        }
    }

    @Test
    void greenMailOnlyOperationsRefuseAFaultyHarness() {
        try (Pop3ProxyHarness h = Pop3ProxyHarness.builder()
                .faultyUpstream(FaultyUpstream.builder().user("u", "p")).start()) {
            assertThrows(IllegalStateException.class, h::greenMail);
            assertEquals(h.faultyUpstream().port(), h.upstreamPort());
        }
        assertThrows(IllegalStateException.class, pop3::faultyUpstream);
    }
}
