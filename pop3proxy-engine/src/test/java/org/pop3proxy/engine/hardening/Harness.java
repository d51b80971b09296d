package org.pop3proxy.engine.hardening;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.VirusScanner;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.OpenSessions;
import org.pop3proxy.engine.ProxyServer;

/** Shared helpers for the hardening tests: proxies, a clean scanner, bodies and checks. */
final class Harness {
    static final byte[] TERMINATOR_LINE = {'\r', '\n', '.', '\r', '\n'};

    private Harness() {}

    /** Returns a builder for a proxy in front of 127.0.0.1:{@code port}. */
    static ProxyConfig.Builder config(int port, Duration timeout) {
        return ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", port))).timeout(timeout);
    }

    /** Returns a builder that also spools and "scans" every RETR/TOP into {@code spool}. */
    static ProxyConfig.Builder scanning(int port, Duration timeout, Path spool) {
        return config(port, timeout).virusScanner(new CleanScanner()).spoolDirectory(spool);
    }

    static ProxyServer listen(ProxyConfig config) throws IOException {
        return Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
    }

    /** Waits until the proxy has no open session; returns whether it got there in time. */
    static boolean awaitNoSessions(ProxyServer proxy, long millis) throws InterruptedException {
        return OpenSessions.await(proxy, 0, millis);
    }

    /** Lists what is left in a spool directory. */
    static List<Path> leftovers(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.collect(Collectors.toList());
        }
    }

    /** Returns {@code lines} body lines of 72 letters and CRLF each: no dot, ends with CRLF. */
    static byte[] bodyLines(int lines) {
        int n = lines * 74;
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int col = i % 74;
            b[i] = col == 72 ? (byte) '\r' : col == 73 ? (byte) '\n' : (byte) ('a' + (i / 74) % 26);
        }
        return b;
    }

    /** Returns whether {@code data} holds a body terminator (CRLF.CRLF) anywhere. */
    static boolean holdsTerminator(byte[] data) {
        outer:
        for (int i = 0; i + TERMINATOR_LINE.length <= data.length; i++) {
            for (int j = 0; j < TERMINATOR_LINE.length; j++) {
                if (data[i + j] != TERMINATOR_LINE[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A scanner that finds every message clean, so that the spool path is exercised. */
    static final class CleanScanner implements VirusScanner {
        @Override
        public ScanResult scan(Path message) {
            return ScanResult.clean();
        }

        @Override
        public String description() {
            return "clean-test-scanner";
        }
    }
}
