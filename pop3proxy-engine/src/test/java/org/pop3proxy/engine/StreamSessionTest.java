package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions on streams with no timeout of their own (a pipe, a Unix socket) are bounded by -t too. */
class StreamSessionTest {
    private static final ClientInfo CLIENT = new ClientInfo(new InetSocketAddress("127.0.0.1", 110),
            new InetSocketAddress("127.0.0.1", 40000));

    @Test
    void aClientSilentOnAPipeIsCutAfterTheTimeoutWithoutAQuit() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage(".\r\n")) {
            ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))
                    .timeout(Duration.ofMillis(300)).build();
            // A channel pipe: unlike PipedInputStream, closing it wakes a blocked read.
            Pipe pipe = Pipe.open();
            OutputStream client = Channels.newOutputStream(pipe.sink());
            InputStream in = Channels.newInputStream(pipe.source());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AtomicBoolean aborted = new AtomicBoolean();
            client.write("USER bob\r\nPASS pw\r\nDELE 1\r\n".getBytes(StandardCharsets.US_ASCII));
            client.flush();
            // Then nothing: the launcher's abort ends the process; here it closes the pipe.
            SessionOutcome outcome = Pop3Proxy.create(config).serve(in, out, CLIENT, () -> {
                aborted.set(true);
                in.close();
            });
            assertTrue(aborted.get(), "the stuck read must be aborted");
            assertEquals(SessionOutcome.FAILED, outcome);
            assertTrue(upstream.awaitClientClosed());
            assertFalse(upstream.received.contains("QUIT"));
            assertTrue(out.toString(StandardCharsets.ISO_8859_1).startsWith("+OK POP3 proxy ready\r\n"));
            client.close();
        }
    }

    @Test
    void aStreamSessionServesNormally() throws IOException {
        try (ScriptedServer upstream = ScriptedServer.withMessage("hi\r\n.\r\n")) {
            ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))
                    .build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SessionOutcome outcome = Pop3Proxy.create(config).serve(
                    new java.io.ByteArrayInputStream("USER bob\r\nPASS pw\r\nRETR 1\r\nQUIT\r\n"
                            .getBytes(StandardCharsets.US_ASCII)), out, CLIENT, () -> { });
            assertEquals(SessionOutcome.CLOSED, outcome);
            assertEquals("+OK POP3 proxy ready\r\n+OK password required\r\n+OK\r\n+OK message follows\r\nhi\r\n.\r\n+OK bye\r\n",
                    out.toString(StandardCharsets.ISO_8859_1));
        }
    }
}
