package org.pop3proxy.testkit.example;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pop3proxy.testkit.FaultyUpstream;
import org.pop3proxy.testkit.Pop3Bytes;
import org.pop3proxy.testkit.Pop3ProxyExtension;
import org.pop3proxy.testkit.Pop3ProxyHarness;
import org.pop3proxy.testkit.ScriptClient;

class MailThroughProxyTest {
    @RegisterExtension
    final Pop3ProxyExtension pop3 = new Pop3ProxyExtension()
            .withUser("bob", "secret")
            .withMessage("bob", "Subject: hello\r\n\r\nHi Bob!\r\n")
            .withConfig(config -> config.maxUnknownCommands(2));

    @Test
    void fetchesMailThroughTheProxy() {
        try (ScriptClient client = pop3.client()) {
            client.expect("+OK POP3 proxy ready");
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
    void unknownCommandsAreLimited() {
        try (ScriptClient client = pop3.login("bob", "secret")) {
            client.send("CAPA").expect("-ERR unknown command");
            client.send("XTND").expect("-ERR unknown command");
            client.send("AUTH").expect("-ERR unknown command");
            client.expectClosed();
        }
    }

    @Test
    void aMessageCutShortByTheServerIsNeverCompleted() throws InterruptedException {
        FaultyUpstream.Builder cutting = FaultyUpstream.builder()
                .user("bob", "secret")
                .message("Subject: long\r\n\r\n" + "line\r\n".repeat(1000))
                .fault(FaultyUpstream.Fault.CLOSE_MID_BODY, "RETR");
        try (Pop3ProxyHarness harness = Pop3ProxyHarness.builder().faultyUpstream(cutting).start();
             ScriptClient client = harness.login("bob", "secret")) {
            client.send("RETR 1").expectStartsWith("+OK");
            byte[] rest = client.readToEnd();
            assertFalse(new String(rest, StandardCharsets.ISO_8859_1).endsWith("\r\n.\r\n"));
            FaultyUpstream upstream = harness.faultyUpstream();
            assertTrue(upstream.awaitClosedConnections(1, Duration.ofSeconds(5)));
            assertFalse(upstream.verbs().contains("QUIT"));
        }
    }
}
