package org.pop3proxy.engine.defaults;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.pop3proxy.engine.internal.LogText;

/**
 * One connection to clamd, TCP or Unix socket alike, with every wait bounded. Non-blocking
 * channels and a selector give read timeouts on Unix sockets too, which blocking channels lack.
 * Not thread-safe: one scan owns one connection.
 */
final class ClamdConnection implements Closeable {
    private final SocketChannel channel;
    private final Selector selector;
    private final long readTimeoutMillis;
    private final long deadlineNanos;
    private final String totalTimeoutText;

    private ClamdConnection(SocketChannel channel, Selector selector, long readTimeoutMillis,
            long deadlineNanos, String totalTimeoutText) {
        this.channel = channel;
        this.selector = selector;
        this.readTimeoutMillis = readTimeoutMillis;
        this.deadlineNanos = deadlineNanos;
        this.totalTimeoutText = totalTimeoutText;
    }

    /**
     * Connects to {@code address} within {@code connectTimeoutMillis}, and before
     * {@code deadlineNanos} (a {@link System#nanoTime()} value) whichever comes first.
     */
    static ClamdConnection open(SocketAddress address, long connectTimeoutMillis, long readTimeoutMillis,
            long deadlineNanos, String totalTimeoutText) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            selector = Selector.open();
            ClamdConnection c = new ClamdConnection(channel, selector, readTimeoutMillis, deadlineNanos,
                    totalTimeoutText);
            if (!channel.connect(address)) {
                c.await(SelectionKey.OP_CONNECT, connectTimeoutMillis, "connect");
                channel.finishConnect();
            }
            return c;
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            channel.close();
            throw e;
        }
    }

    /**
     * Writes all of {@code buffers}, unless clamd starts answering first (it does so only to give
     * up, say on its stream size limit): then returns false and leaves the answer to
     * {@link #readReply}.
     */
    boolean write(ByteBuffer... buffers) throws IOException {
        while (remaining(buffers) > 0) {
            channel.write(buffers);
            if (remaining(buffers) == 0) {
                break;
            }
            int ready = await(SelectionKey.OP_WRITE | SelectionKey.OP_READ, readTimeoutMillis, "write");
            if ((ready & SelectionKey.OP_READ) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads one NUL-terminated answer of at most {@code max} bytes and returns it without the NUL.
     *
     * @throws IOException if the connection ends before the NUL, or the answer is longer
     */
    String readReply(int max) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(max + 1);
        while (true) {
            int n = channel.read(buf);
            if (n < 0) {
                throw new IOException(buf.position() == 0
                        ? "clamd closed the connection without an answer"
                        : "clamd's answer ended without its terminator: " + received(buf));
            }
            for (int i = buf.position() - n; i < buf.position(); i++) {
                if (buf.get(i) == 0) {
                    return new String(buf.array(), 0, i, StandardCharsets.ISO_8859_1);
                }
            }
            if (!buf.hasRemaining()) {
                throw new IOException("clamd's answer is longer than " + max + " bytes: " + received(buf));
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, readTimeoutMillis, "answer");
            }
        }
    }

    /** Waits for {@code ops}, at most {@code millis} and not past the deadline; returns the ready set. */
    private int await(int ops, long millis, String what) throws IOException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        boolean totalBound = left <= millis;
        long wait = Math.min(millis, left);
        if (wait <= 0) {
            throw new SocketTimeoutException("clamd " + what + " timed out: scan took longer than "
                    + totalTimeoutText);
        }
        SelectionKey key = channel.register(selector, ops);
        try {
            if (selector.select(wait) == 0) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IOException("interrupted");
                }
                throw new SocketTimeoutException("clamd " + what + " timed out after "
                        + (totalBound ? "the total of " + totalTimeoutText : millis + " ms"));
            }
            return key.readyOps();
        } finally {
            selector.selectedKeys().clear();
            key.interestOps(0);
        }
    }

    private static long remaining(ByteBuffer[] buffers) {
        long r = 0;
        for (ByteBuffer b : buffers) {
            r += b.remaining();
        }
        return r;
    }

    /** Returns the bytes read so far, as far as a log line shows them, made safe for one. */
    private static String received(ByteBuffer buf) {
        return LogText.escape(new String(buf.array(), 0, Math.min(buf.position(), LogText.MAX), StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
