package org.pop3proxy.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;
import org.pop3proxy.engine.defaults.ClamdScanner;

/**
 * Runs the proxy in daemon mode in its own JVM, so that its CPU time and memory can be read per
 * process: listens on 127.0.0.1 at a free port, forwarding to {@code <host> <port>}, and prints
 * {@code PORT <n>}. A third argument, {@code <clamd port>}, turns on virus scanning (the manual's
 * {@code -z}) with clamd at 127.0.0.1 on that port, INSTREAM as {@code bin/pop3.proxy -z} does by
 * default, with room for the benchmark's 50 MB message. Standard input is a control channel:
 * {@code heap} answers {@code HEAP <bytes used after a full GC>}; its end stops the proxy.
 */
public final class ProxyMain {
    /** Above the 50 MB message (the engine's default, 25 MiB, would refuse it). */
    private static final long MAX_SCAN_SIZE = 100L * 1024 * 1024;

    private ProxyMain() {}

    public static void main(String[] args) throws Exception {
        // Every benchmark client comes from 127.0.0.1: lift the per-client cap above the 8,000
        // idle sessions of the memory test; the rest is the engine's defaults.
        ProxyConfig.Builder config = ProxyConfig.builder(ServerSelector.fixed(
                        ServerTarget.of(args[0], Integer.parseInt(args[1]))))
                .maxSessions(20_000)
                .maxSessionsPerClient(20_000);
        if (args.length > 2) {
            config.virusScanner(ClamdScanner.builder().tcp("127.0.0.1", Integer.parseInt(args[2]))
                            .maxSize(MAX_SCAN_SIZE).build())
                    .maxScanSize(MAX_SCAN_SIZE);
        }
        ProxyServer server = Pop3Proxy.create(config.build())
                .listen(new InetSocketAddress("127.0.0.1", 0));
        System.out.println("PORT " + server.port());
        System.out.flush();
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = control.readLine()) != null; ) {
            if (line.equals("heap")) {
                System.out.println("HEAP " + usedAfterGc());
                System.out.flush();
            }
        }
        server.close();
        System.exit(0);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
