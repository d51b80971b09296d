package org.pop3proxy.engine;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads of a plain socket bounded by the watchdog behave like reads with SO_TIMEOUT. */
class SocketReadDeadlineTest {
    private ServerSocket listener;
    private Socket near;
    private Socket far;

    @BeforeEach
    void connect() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        far = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        near = listener.accept();
    }

    @AfterEach
    void close() throws Exception {
        near.close();
        far.close();
        listener.close();
    }

    @Test
    void aSilentPeerTimesOutAndTheAnswerCanStillBeWritten() throws Exception {
        SocketReadDeadline in = new SocketReadDeadline(near.getInputStream(), near, 200);
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[16], 0, 16));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 200, "timed out after " + millis + " ms, before the timeout");
        assertTrue(millis < 200 + 10 * Watchdog.TICK_MILLIS, "timed out only after " + millis + " ms");
        assertEquals(0, near.getSoTimeout(), "the read itself was not a timed one");
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[16], 0, 16),
                "the input stays shut after a timeout, like a session that ends");

        OutputStream out = near.getOutputStream();
        out.write("-ERR timeout\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] answer = far.getInputStream().readNBytes(14);
        assertEquals("-ERR timeout\r\n", new String(answer, StandardCharsets.US_ASCII));
    }

    @Test
    void theTimeoutBoundsEachReadNotTheirSum() throws Exception {
        SocketReadDeadline in = new SocketReadDeadline(near.getInputStream(), near, 300);
        OutputStream peer = far.getOutputStream();
        byte[] b = new byte[1];
        for (int i = 0; i < 4; i++) {
            Thread.sleep(150); // 4 × 150 ms is twice the timeout, each wait half of it
            peer.write('a' + i);
            peer.flush();
            assertEquals(1, in.read(b, 0, 1));
            assertEquals('a' + i, b[0]);
        }
    }

    @Test
    void aShorterTimeoutAppliesToTheNextRead() throws Exception {
        SocketReadDeadline in = new SocketReadDeadline(near.getInputStream(), near, 60_000);
        in.timeoutMillis(100);
        assertEquals(100, in.timeoutMillis());
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[1], 0, 1));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 100 + 10 * Watchdog.TICK_MILLIS);
    }

    @Test
    void bytesAndTheEndOfTheStreamPassUnchanged() throws Exception {
        SocketReadDeadline in = new SocketReadDeadline(near.getInputStream(), near, 5_000);
        byte[] sent = "+OK 1 2\r\n".getBytes(StandardCharsets.US_ASCII);
        far.getOutputStream().write(sent);
        far.shutdownOutput();
        assertArrayEquals(sent, readAll(in));
        assertEquals(-1, in.read(new byte[4], 0, 4), "a peer's close is an end, not a timeout");
    }

    private static byte[] readAll(InputStream in) throws Exception {
        return in.readAllBytes();
    }
}
