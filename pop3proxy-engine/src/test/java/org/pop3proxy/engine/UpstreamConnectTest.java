package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.Transport;
import org.pop3proxy.api.UpstreamOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upstream connect: Transport.PLAIN's socket, its connect bounded by the watchdog on platform threads. */
class UpstreamConnectTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static UpstreamOptions options(Duration connect, Duration read) {
        return new UpstreamOptions(Optional.empty(), connect, read);
    }

    @Test
    void plainConnectsWithNoDelayAndTheReadTimeout() throws Exception {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(listener);
        Socket s = Upstream.connect(Transport.PLAIN, ServerTarget.of("127.0.0.1", listener.getLocalPort()),
                options(Duration.ofSeconds(5), Duration.ofMillis(1234)));
        open.add(s);
        assertTrue(s.isConnected());
        assertTrue(s.getTcpNoDelay());
        assertEquals(1234, s.getSoTimeout());
        assertEquals(listener.getLocalPort(), s.getPort());
    }

    @Test
    void aRefusedConnectFailsAtOnce() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Upstream.connect(Transport.PLAIN,
                ServerTarget.of("127.0.0.1", port), options(Duration.ofSeconds(5), Duration.ofSeconds(5))));
        assertFalse(e instanceof SocketTimeoutException, "refused, not timed out: " + e);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 2000);
    }

    @Test
    void aConnectThatHangsTimesOut() throws Exception {
        int port = listenerThatDropsSyns();
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> Upstream.connect(Transport.PLAIN,
                ServerTarget.of("127.0.0.1", port), options(Duration.ofMillis(300), Duration.ofSeconds(5))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 300, "timed out after " + millis + " ms, before the timeout");
        assertTrue(millis < 300 + 10 * Watchdog.TICK_MILLIS, "timed out only after " + millis + " ms");
    }

    @Test
    void anotherTransportIsUsedAsItIs() throws Exception {
        Socket given = new Socket();
        open.add(given);
        AtomicInteger calls = new AtomicInteger();
        Transport custom = (server, o) -> {
            calls.incrementAndGet();
            return given;
        };
        assertSame(given, Upstream.connect(custom, ServerTarget.of("127.0.0.1", 1),
                options(Duration.ofSeconds(1), Duration.ofSeconds(1))));
        assertEquals(1, calls.get());
    }

    /**
     * Returns the port of a listener whose accept queue is full, so that the kernel drops further
     * SYNs and a connect to it waits; skips the test where the kernel does not behave so.
     */
    private int listenerThatDropsSyns() throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(listener);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < 16; i++) {
                SocketChannel ch = SocketChannel.open();
                open.add(ch);
                ch.configureBlocking(false);
                if (ch.connect(address)) {
                    continue;
                }
                SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(200) == 0) {
                    // This connect hangs: the queue is full.
                    return listener.getLocalPort();
                }
                selector.selectedKeys().clear();
                key.cancel();
                selector.selectNow();
                ch.finishConnect();
            }
        }
        Assumptions.abort("the kernel completed every connect; cannot make one hang");
        return -1;
    }
}
