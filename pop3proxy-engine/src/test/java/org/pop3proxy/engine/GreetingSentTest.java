package org.pop3proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.VirusScanner;

/**
 * An inetd launcher may write the greeting itself before the proxy is configured
 * ({@link ListenOptions#withGreetingSent}): the session then starts by reading a command, and never
 * greets a second time.
 */
class GreetingSentTest {
    private static final VirusScanner DOWN = new VirusScanner() {
        @Override
        public ScanResult scan(Path message) {
            throw new AssertionError("never scans");
        }

        @Override
        public void probe() throws IOException {
            throw new IOException("clamd is not running");
        }

        @Override
        public boolean enabled() {
            return true;
        }
    };

    @Test
    void aGreetedSessionAnswersTheFirstCommandWithoutASecondGreeting() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage("hi\r\n.\r\n")) {
            ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))
                    .build();
            String seen = session(config, "USER bob\r\nPASS pw\r\nRETR 1\r\nQUIT\r\n");
            assertEquals("+OK password required\r\n+OK\r\n+OK message follows\r\nhi\r\n.\r\n+OK bye\r\n", seen);
        }
    }

    @Test
    void aGreetedSessionOnStreamsAnswersTheFirstCommandWithoutASecondGreeting() throws Exception {
        try (ScriptedServer upstream = ScriptedServer.withMessage("hi\r\n.\r\n")) {
            ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", upstream.port())))
                    .build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
            SessionOutcome outcome = Pop3Proxy.create(config).serve(
                    new ByteArrayInputStream("USER bob\r\nPASS pw\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII)),
                    out, new ClientInfo(any, any), () -> { }, ListenOptions.PLAIN.withGreetingSent(true));
            assertEquals(SessionOutcome.CLOSED, outcome);
            assertEquals("+OK password required\r\n+OK\r\n+OK bye\r\n", out.toString(StandardCharsets.ISO_8859_1));
            ByteArrayInputStream none = new ByteArrayInputStream(new byte[0]);
            assertThrows(IllegalArgumentException.class, () -> Pop3Proxy.create(config).serve(none, out,
                    new ClientInfo(any, any), () -> { }, ListenOptions.PLAIN.withImplicitTls(true)));
        }
    }

    @Test
    void aGreetedSessionWhoseScannerIsDownSaysSoInsteadOfServing() throws Exception {
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", 1)))
                .virusScanner(DOWN).build();
        assertEquals(Session.NO_SCANNER + "\r\n", session(config, "USER bob\r\n"));
    }

    @Test
    void onlyAPlainConnectionWithTheDefaultGreetingCanHaveBeenGreeted() throws Exception {
        Pop3Proxy custom = Pop3Proxy.create(ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", 1)))
                .greeting("+OK hello").build());
        Pop3Proxy plain = Pop3Proxy.create(ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", 1)))
                .build());
        ListenOptions greeted = ListenOptions.PLAIN.withGreetingSent(true);
        try (Socket unused = new Socket()) {
            assertThrows(IllegalArgumentException.class, () -> custom.serve(unused, greeted));
            assertThrows(IllegalArgumentException.class, () -> plain.serve(unused,
                    greeted.withProxyProtocol(ProxyProtocol.allowFrom("127.0.0.1"))));
        }
        assertThrows(IllegalArgumentException.class,
                () -> plain.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), greeted));
    }

    /** Serves one greeted session on a real socket pair; returns all the client received. */
    private static String session(ProxyConfig config, String commands) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            client.setSoTimeout(10_000);
            CompletableFuture<SessionOutcome> outcome = CompletableFuture.supplyAsync(
                    () -> Pop3Proxy.create(config).serve(accepted, ListenOptions.PLAIN.withGreetingSent(true)));
            OutputStream out = client.getOutputStream();
            out.write(commands.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String seen = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            outcome.get(10, TimeUnit.SECONDS);
            return seen;
        }
    }
}
