package org.pop3proxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pop3proxy.testkit.Pop3Bytes;
import org.pop3proxy.testkit.ScriptClient;

/** The demo, started in-process as {@code main} starts it, fetched through. */
class DemoTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void servesTheSampleMailboxesThroughTheProxy() throws IOException {
        try (Demo demo = Demo.start(0, out)) {
            int port = demo.proxyPort();
            String text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("curl -s pop3://127.0.0.1:" + port + "/1 -u alice:alice-secret"), text);
            assertTrue(text.contains("curl -s pop3://127.0.0.1:" + port + "/ -u alice:alice-secret"), text);
            assertTrue(text.contains("poplib.POP3('127.0.0.1', " + port + ")"), text);
            try (ScriptClient c = ScriptClient.connect(port)) {
                c.expect("+OK POP3 proxy ready");
                c.send("USER alice").expect("+OK password required");
                c.send("PASS alice-secret").expectStartsWith("+OK");
                c.send("STAT").expectStartsWith("+OK 2 ");
                c.send("RETR 1").expectStartsWith("+OK");
                String message = new String(Pop3Bytes.dotUnstuff(c.readMultiline()), StandardCharsets.US_ASCII);
                assertTrue(message.contains("Subject: Welcome to the pop3proxy demo\r\n"), message);
                assertTrue(message.endsWith("\r\n.A line that starts with a dot survives the trip.\r\n"), message);
                c.send("QUIT").expectStartsWith("+OK");
                c.expectClosed();
            }
            try (ScriptClient c = ScriptClient.connect(port)) {
                c.expect("+OK POP3 proxy ready");
                c.send("USER bob").expect("+OK password required");
                c.send("PASS bob-secret").expectStartsWith("+OK");
                c.send("STAT").expectStartsWith("+OK 1 ");
            }
        }
    }

    @Test
    void takesAFreePortWhenTheAskedOneIsBusy() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName(Demo.HOST));
             Demo demo = Demo.start(busy.getLocalPort(), out)) {
            assertNotEquals(busy.getLocalPort(), demo.proxyPort());
            String text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("port " + busy.getLocalPort() + " is busy"), text);
            assertTrue(text.contains("pop3://127.0.0.1:" + demo.proxyPort() + "/1"), text);
            try (ScriptClient c = ScriptClient.connect(demo.proxyPort())) {
                c.expect("+OK POP3 proxy ready");
            }
        }
    }

    @Test
    void closingStopsTheProxy() throws IOException, InterruptedException {
        Demo demo = Demo.start(0, out);
        int port = demo.proxyPort();
        demo.close();
        demo.awaitClose();
        assertThrows(UncheckedIOException.class, () -> ScriptClient.connect(port).close());
    }

    @Test
    void portComesFromTheArgumentsOrTheProperty() {
        assertEquals(1110, Demo.port(new String[0], null));
        assertEquals(2110, Demo.port(new String[0], "2110"));
        assertEquals(3110, Demo.port(new String[] {"--port", "3110"}, "2110"));
        assertEquals(0, Demo.port(new String[] {"--port=0"}, null));
        assertThrows(IllegalArgumentException.class, () -> Demo.port(new String[] {"--port", "70000"}, null));
        assertThrows(IllegalArgumentException.class, () -> Demo.port(new String[] {"--verbose"}, null));
    }
}
