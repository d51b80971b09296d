package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Times the multi-line relay: {@link Upstream#readStatus} plus {@link Upstream#relayBody} of a
 * 1 MiB body (so ops/s = MiB/s), delivered in reads of {@code readSize} octets as a socket would,
 * against a plain copy of the same bytes (the ceiling: a blind relay) and {@link BodyEnd#scan}
 * alone over one 64 KB buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class RelayBenchmark {
    static final int BODY = 1024 * 1024;

    @Param({"1460", "65536"})
    public int readSize;

    private byte[] reply;
    private byte[] chunk64k;
    private ChunkedInput in;
    private Upstream upstream;
    private final OutputStream sink = OutputStream.nullOutputStream();
    private final byte[] copyBuffer = new byte[BufferPool.SIZE];

    @Setup
    public void setUp() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(BODY + 1024);
        b.writeBytes("+OK 1048576 octets\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int line = 0; b.size() < BODY; line++) {
            String lead = line % 100 == 99 ? ".." : "L";
            b.writeBytes((lead + String.format("%08d", line)
                    + " The quick brown fox jumps over the lazy dog; pack my box with jugs.\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        reply = b.toByteArray();
        chunk64k = new byte[64 * 1024];
        System.arraycopy(reply, 64, chunk64k, 0, chunk64k.length);
        in = new ChunkedInput(reply, readSize);
        upstream = new Upstream(in, sink, () -> { });
    }

    /** The engine's path: status line, then the body scanned for its end and copied. */
    @Benchmark
    public void relay() throws Exception {
        in.rewind();
        upstream.readStatus();
        upstream.relayBody(sink);
    }

    /** A blind relay of the same bytes through a buffer of the relay's size: the ceiling. */
    @Benchmark
    public long plainCopy() throws IOException {
        in.rewind();
        long total = 0;
        for (int n; (n = in.read(copyBuffer, 0, copyBuffer.length)) > 0; ) {
            sink.write(copyBuffer, 0, n);
            total += n;
        }
        return total;
    }

    /** The terminator search alone over 64 KB of body without an end. */
    @Benchmark
    public int scan64k() {
        return new BodyEnd().scan(chunk64k, 0, chunk64k.length);
    }

    /** Returns at most {@code max} octets per read, like a socket. */
    static final class ChunkedInput extends InputStream {
        private final byte[] data;
        private final int max;
        private int pos;

        ChunkedInput(byte[] data, int max) {
            this.data = data;
            this.max = max;
        }

        void rewind() {
            pos = 0;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, max), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return 0;
        }
    }
}
