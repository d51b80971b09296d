package org.pop3proxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Hand-run experiment (docs/PERFORMANCE.md §1a): does a relay through {@code Socket} streams and
 * a heap array pay for the JDK's copies through its temporary direct buffer, against a relay
 * through {@code SocketChannel}s and one direct buffer? A writer thread sends {@code MB} MiB over
 * loopback, a relay thread copies it to a reader, looking at every word of it on the way (as the
 * proxy's body scan does), and the relay thread's CPU time is taken from the JVM. The two ways
 * alternate, round by round; medians are printed.
 *
 * <p>{@code java [-Dbuffer=BYTES] -cp pop3proxy-bench/target/classes org.pop3proxy.bench.SocketRelayExperiment
 * [MB] [rounds]}: {@code buffer} is the relay's read size, 64 KB (the proxy's body buffer) unless given.
 */
public final class SocketRelayExperiment {
    private static final int MIB = 1 << 20;
    private static final int BUFFER = Integer.getInteger("buffer", 64 * 1024);
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SocketRelayExperiment() {}

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf("relay of %d MiB over loopback, %d alternating rounds, %s%n", mib, rounds,
                System.getProperty("java.vm.version"));
        for (int warmUp = 0; warmUp < 3; warmUp++) {
            round(false, mib);
            round(true, mib);
        }
        List<double[]> streams = new ArrayList<>();
        List<double[]> channels = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            double[] s = round(false, mib);
            double[] c = round(true, mib);
            streams.add(s);
            channels.add(c);
            System.out.printf("round %2d: streams %6.0f MB/s %.3f ms CPU/MB   channels %6.0f MB/s %.3f ms CPU/MB%n",
                    r + 1, s[0], s[1], c[0], c[1]);
        }
        System.out.printf("median:   streams %6.0f MB/s %.3f ms CPU/MB   channels %6.0f MB/s %.3f ms CPU/MB%n",
                median(streams, 0), median(streams, 1), median(channels, 0), median(channels, 1));
    }

    private static double median(List<double[]> rows, int column) {
        List<Double> values = new ArrayList<>();
        for (double[] row : rows) {
            values.add(row[column]);
        }
        Collections.sort(values);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    /** Relays {@code mib} MiB once; returns MB/s end to end and the relay thread's CPU ms per MB. */
    private static double[] round(boolean channel, int mib) throws Exception {
        long size = (long) mib * MIB;
        long[] relayCpu = new long[1];
        try (ServerSocketChannel source = ServerSocketChannel.open();
             ServerSocketChannel relayChannel = channel ? ServerSocketChannel.open() : null;
             ServerSocket relaySocket = channel ? null : new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            source.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketAddress relayAddress;
            if (channel) {
                relayChannel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                relayAddress = relayChannel.getLocalAddress();
            } else {
                relayAddress = relaySocket.getLocalSocketAddress();
            }
            Thread writer = new Thread(() -> write(source, size));
            writer.start();
            Thread relay = new Thread(() -> {
                long start = THREADS.getCurrentThreadCpuTime();
                try {
                    if (channel) {
                        relayChannels(source.getLocalAddress(), relayChannel);
                    } else {
                        relayStreams(source.getLocalAddress(), relaySocket);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                relayCpu[0] = THREADS.getCurrentThreadCpuTime() - start;
            });
            relay.start();
            long t0 = System.nanoTime();
            long got = 0;
            try (SocketChannel reader = SocketChannel.open(relayAddress)) {
                ByteBuffer b = ByteBuffer.allocateDirect(BUFFER);
                for (int n; (n = reader.read(b.clear())) >= 0; ) {
                    got += n;
                }
            }
            long nanos = System.nanoTime() - t0;
            relay.join();
            writer.join();
            if (got != size) {
                throw new IllegalStateException("relayed " + got + " bytes of " + size);
            }
            double mb = size / 1e6;
            return new double[] {mb / (nanos / 1e9), relayCpu[0] / 1e6 / mb};
        }
    }

    private static void write(ServerSocketChannel source, long size) {
        try (SocketChannel s = source.accept()) {
            ByteBuffer b = ByteBuffer.allocateDirect(BUFFER);
            for (long left = size; left > 0; ) {
                b.clear();
                if (left < b.capacity()) {
                    b.limit((int) left);
                }
                left -= s.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As the proxy relays: Socket streams, a heap array, the scan through a byte-array view. */
    private static void relayStreams(SocketAddress server, ServerSocket listener) throws IOException {
        try (Socket up = new Socket(Proxy.NO_PROXY)) {
            up.connect(server);
            try (Socket client = listener.accept()) {
                InputStream in = up.getInputStream();
                OutputStream out = client.getOutputStream();
                byte[] b = new byte[BUFFER];
                long seen = 0;
                for (int n; (n = in.read(b)) >= 0; ) {
                    for (int i = 0; i + 8 <= n; i += 8) {
                        seen ^= (long) LONGS.get(b, i);
                    }
                    out.write(b, 0, n);
                }
                consume(seen);
            }
        }
    }

    /** The alternative: channels and one direct buffer, which the kernel reads into and writes from. */
    private static void relayChannels(SocketAddress server, ServerSocketChannel listener) throws IOException {
        try (SocketChannel up = SocketChannel.open(server); SocketChannel client = listener.accept()) {
            ByteBuffer b = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
            long seen = 0;
            for (int n; (n = up.read(b.clear())) >= 0; ) {
                for (int i = 0; i + 8 <= n; i += 8) {
                    seen ^= b.getLong(i);
                }
                b.flip();
                while (b.hasRemaining()) {
                    client.write(b);
                }
            }
            consume(seen);
        }
    }

    private static volatile long sink;

    private static void consume(long value) {
        sink = value;
    }
}
