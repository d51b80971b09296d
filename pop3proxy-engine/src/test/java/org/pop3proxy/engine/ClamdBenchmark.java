package org.pop3proxy.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.VirusScanner;
import org.pop3proxy.engine.defaults.ClamdScanner;
import org.pop3proxy.engine.defaults.ClamdTestMessages;

/**
 * Measures RETR of a 50 MiB clean message: from the server directly, through the proxy without
 * scanning, through the proxy with clamd, and clamd's scan alone. Not a test; run by hand:
 * <pre>
 * .ci/clamd.sh /tmp/clamd-bench        # prints CLAMD_PORT=NNNN
 * java -cp ... org.pop3proxy.engine.ClamdBenchmark NNNN [runs]
 * </pre>
 */
public final class ClamdBenchmark {
    private static final long SIZE = 50L * 1024 * 1024;

    private ClamdBenchmark() {}

    public static void main(String[] args) throws Exception {
        int clamdPort = Integer.parseInt(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("pop3proxy-bench");
        Path message = ClamdTestMessages.writeClean(dir.resolve("message"), SIZE);
        ClamdScanner scanner = ClamdScanner.builder().tcp("127.0.0.1", clamdPort)
                .maxSize(SIZE + 1024).chunkSize(1 << 20).build();
        scanner.probe();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(upstream, message), "bench-pop3");
            server.setDaemon(true);
            server.start();
            ProxyConfig plain = ProxyConfig.builder(ServerSelector.fixed(
                    ServerTarget.of("127.0.0.1", upstream.getLocalPort()))).spoolDirectory(dir).build();
            ProxyConfig scanning = plain.toBuilder().virusScanner(scanner).maxScanSize(SIZE + 1024).build();
            try (ProxyServer p = Pop3Proxy.create(plain).listen(new InetSocketAddress("127.0.0.1", 0));
                    ProxyServer s = Pop3Proxy.create(scanning).listen(new InetSocketAddress("127.0.0.1", 0))) {
                report("direct from the server", runs, () -> retr(upstream.getLocalPort(), false));
                report("proxy, no scanning", runs, () -> retr(p.port(), true));
                report("clamd INSTREAM scan alone", runs, () -> {
                    ScanResult r = scanner.scan(message);
                    if (r != ScanResult.clean()) {
                        throw new IllegalStateException(r.toString());
                    }
                    return SIZE;
                });
                report("proxy, scanning (clamd INSTREAM)", runs, () -> retr(s.port(), true));
                VirusScanner contscan = scanner.toBuilder().mode(ClamdScanner.Mode.CONTSCAN).build();
                try (ProxyServer c = Pop3Proxy.create(scanning.toBuilder().virusScanner(contscan).build())
                        .listen(new InetSocketAddress("127.0.0.1", 0))) {
                    report("proxy, scanning (clamd CONTSCAN)", runs, () -> retr(c.port(), true));
                }
            }
        } finally {
            Files.deleteIfExists(message);
            Files.deleteIfExists(dir);
        }
    }

    private interface Run {
        long run() throws Exception;
    }

    private static void report(String what, int runs, Run run) throws Exception {
        run.run();
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            long bytes = run.run();
            millis.add((System.nanoTime() - start) / 1_000_000);
            if (bytes < SIZE) {
                throw new IllegalStateException(what + ": only " + bytes + " bytes");
            }
        }
        Collections.sort(millis);
        System.out.printf("%-36s median %6d ms  min %6d ms  max %6d ms  (%d runs)%n", what,
                millis.get(millis.size() / 2), millis.get(0), millis.get(millis.size() - 1), runs);
    }

    /** Logs in, RETRs message 1 and returns the body's size; the body is read and dropped. */
    private static long retr(int port, boolean viaProxy) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(120_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            line(in);
            out.write("USER bob\r\nPASS secret\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            line(in);
            line(in);
            out.write("RETR 1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line(in);
            if (!status.startsWith("+OK")) {
                throw new IOException("RETR: " + status);
            }
            long n = 0;
            byte[] buf = new byte[1 << 16];
            int last = 0;
            while (true) {
                int r = in.read(buf);
                if (r < 0) {
                    throw new IOException("EOF in body");
                }
                n += r;
                for (int i = 0; i < r; i++) {
                    last = (last << 8) | (buf[i] & 0xff);
                }
                if (last == 0x0a2e0d0a || (last & 0xffffff) == 0x2e0d0a && n == 3) {
                    break;
                }
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return n;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("EOF");
            }
            b.append((char) c);
        }
        return b.toString().strip();
    }

    /** A minimal POP3 server with one message: the file, sent with a single write loop. */
    private static void serve(ServerSocket server, Path message) {
        while (true) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                out.write("+OK bench\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                for (String cmd = r.readLine(); cmd != null; cmd = r.readLine()) {
                    String verb = cmd.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
                    if (verb.equals("RETR")) {
                        out.write(("+OK " + Files.size(message) + " octets\r\n").getBytes(StandardCharsets.US_ASCII));
                        Files.copy(message, out);
                        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    if (verb.equals("QUIT")) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }
}
