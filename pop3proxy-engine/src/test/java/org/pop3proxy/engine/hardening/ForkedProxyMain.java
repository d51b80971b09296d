package org.pop3proxy.engine.hardening;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.file.Path;
import java.time.Duration;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

/**
 * Runs a proxy in a JVM of its own, for {@link ForkedProxy}: with a small {@code -Xmx} (so that
 * buffering a body would fail, not pass unnoticed) or with logging set up before SLF4J starts.
 * Arguments: server port, timeout in ms, and a spool directory or {@code -} for no scanning.
 * Prints {@code PORT n}; on end of standard input prints {@code PEAK bytes} (the most heap in
 * use seen by sampling every 20 ms; java.management is not readable from the engine's module)
 * and exits.
 */
public final class ForkedProxyMain {
    private ForkedProxyMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int serverPort = Integer.parseInt(args[0]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[1]));
        ProxyConfig.Builder config = args[2].equals("-") ? Harness.config(serverPort, timeout)
                : Harness.scanning(serverPort, timeout, Path.of(args[2]));
        try (ProxyServer proxy = Harness.listen(config.maxScanSize(Long.MAX_VALUE).maxSpoolTotal(Long.MAX_VALUE).build())) {
            AtomicLong peak = new AtomicLong();
            Thread sampler = new Thread(() -> {
                Runtime rt = Runtime.getRuntime();
                while (true) {
                    peak.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            System.out.println("PORT " + proxy.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Run until the parent closes our standard input.
            }
            System.out.println("PEAK " + peak.get());
            System.out.flush();
        }
    }
}
