package org.pop3proxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.Transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing the server's TLS connection writes close_notify; when the server has stopped reading
 * and the buffers are full, that write would block the session thread for ever without a bound.
 */
class UpstreamTlsCloseTest {
    private static final int SMALL_BUFFER = 4096;

    private final TestCerts certs = TestCerts.get();
    private final CountDownLatch release = new CountDownLatch(1);
    private ServerSocket listener;
    private ProxyServer proxy;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        if (proxy != null) {
            proxy.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void aSessionEndsWhenTheServerStopsReadingWithFullBuffers() throws Exception {
        listener = new ServerSocket();
        listener.setReceiveBufferSize(SMALL_BUFFER);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ClientTls serverTls = certs.clientTls();
        Thread server = new Thread(() -> serveLoginThenStopReading(serverTls), "stalling-tls-server");
        server.setDaemon(true);
        server.start();

        AtomicReference<SocketChannel> upstreamChannel = new AtomicReference<>();
        Transport smallBuffers = (target, options) -> {
            SocketChannel ch = SocketChannel.open();
            ch.socket().setSendBufferSize(SMALL_BUFFER);
            ch.connect(new InetSocketAddress(target.host(), target.port()));
            ch.socket().setSoTimeout(Math.toIntExact(options.readTimeout().toMillis()));
            upstreamChannel.set(ch);
            return ch.socket();
        };
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("localhost", listener.getLocalPort())))
                .upstreamTls(UpstreamTls.implicit(UpstreamTls.Trust.caFile(certs.cert)))
                .transport(smallBuffers)
                .build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));

        Pop3Client c = new Pop3Client(proxy.port());
        c.expect("+OK POP3 proxy ready");
        c.send("USER bob").expect("+OK password required");
        c.send("PASS secret").expect("+OK logged in");
        assertEquals(1, proxy.openSessions());

        // The session now waits for the client; fill the proxy's send buffer towards the server
        // (which reads nothing more) until the kernel takes no more bytes.
        long filled = fillUntilFull(upstreamChannel.get());
        assertTrue(filled > 0, "nothing could be written before the buffers were full");

        long start = System.nanoTime();
        c.close();
        OpenSessions.await(proxy, 0, 10_000);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, proxy.openSessions(), "the session is still closing its server connection after " + tookMillis + " ms");
        assertTrue(tookMillis < Session.TLS_CLOSE_WAIT_MILLIS + 5 * Watchdog.TICK_MILLIS + 2000,
                "closing took " + tookMillis + " ms");
    }

    /**
     * Writes junk without blocking until the kernel has taken nothing for a while: a write that
     * returns 0 may only mean the bytes are on their way into the server's receive buffer.
     */
    private static long fillUntilFull(SocketChannel ch) throws IOException, InterruptedException {
        ch.configureBlocking(false);
        try {
            ByteBuffer junk = ByteBuffer.allocate(64 * 1024);
            long total = 0;
            long quietSince = System.nanoTime();
            long deadline = quietSince + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(300)) {
                assertTrue(System.nanoTime() - deadline < 0, "the buffers never filled");
                junk.clear();
                int n = ch.write(junk);
                if (n > 0) {
                    total += n;
                    quietSince = System.nanoTime();
                } else {
                    Thread.sleep(20);
                }
            }
            return total;
        } finally {
            ch.configureBlocking(true);
        }
    }

    /** Greets over TLS, accepts USER and PASS, then never reads again until the test ends. */
    private void serveLoginThenStopReading(ClientTls tls) {
        try (Socket accepted = listener.accept()) {
            accepted.setSoTimeout(5000);
            SSLSocket s = tls.serverSocket(accepted);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (String reply : new String[] {"+OK password required\r\n", "+OK logged in\r\n"}) {
                ScriptedServer.readLine(in);
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            release.await();
        } catch (IOException | InterruptedException e) {
            // The test asserts on the proxy's side.
        }
    }
}
