package org.pop3proxy.engine.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Huge bodies through a proxy whose JVM has a small fixed heap ({@value #HEAP}): a proxy that
 * buffered a body, or a line, would die of {@link OutOfMemoryError} and the client would not get
 * the exact bytes. Measuring heap growth inside the test's own JVM is too noisy to prove this;
 * a hard {@code -Xmx} is not. The body size is {@code -Dpop3proxy.bigBody.mib} (default 1024; the
 * documented long run uses 4096).
 */
class BoundedMemoryTest {
    static final String HEAP = "-Xmx32m";
    static final long MIB = 1024 * 1024;
    static final long BIG = Long.getLong("pop3proxy.bigBody.mib", 1024) * MIB;

    @TempDir
    Path dir;

    private static List<String> jvm() {
        return List.of(HEAP, "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    }

    /** One MiB of lines: 8-bit bytes, dot-stuffed lines, long and empty lines, ending with CRLF. */
    static byte[] block() {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (b.length() < MIB - 2000) {
            switch (i % 5) {
                case 0: b.append("..stuffed line ").append(i); break;
                case 1: b.append("8-bit \u00e4\u00f6\u00fc\u00ff ").append(i); break;
                case 2: break;
                case 3: b.append("x".repeat(1200)); break;
                default: b.append("Subject: line ").append(i).append('\t'); break;
            }
            b.append("\r\n");
            i++;
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aHugeBodyIsRelayedExactlyThroughASmallHeap() throws Exception {
        byte[] block = block();
        long blocks = BIG / block.length;
        relay(null, out -> {
            for (long n = 0; n < blocks; n++) {
                out.write(block);
            }
        }, blocks * block.length, 0);
    }

    @Test
    void aBodyLineWithoutEndIsRelayedNotBuffered() throws Exception {
        byte[] x = new byte[(int) MIB];
        Arrays.fill(x, (byte) 'x');
        relay(null, out -> {
            for (int n = 0; n < 200; n++) {
                out.write(x);
            }
            out.write(new byte[] {'\r', '\n'});
        }, 200 * MIB + 2, 0);
    }

    @Test
    void aLargeScannedMessageIsSpooledNotBuffered() throws Exception {
        byte[] block = block();
        int blocks = 64;
        String header = "X-Proxy-Scanned: pop3proxy; clean-test-scanner\r\n";
        Path spool = java.nio.file.Files.createDirectory(dir.resolve("spool"));
        relay(spool, out -> {
            for (int n = 0; n < blocks; n++) {
                out.write(block);
            }
        }, (long) blocks * block.length, header.length());
        assertEquals(List.of(), Harness.leftovers(spool));
    }

    /** What the server sends as the body, terminator not included. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Serves {@code body} for RETR 1 through a child proxy and checks the client got exactly it
     * (after {@code skip} leading bytes the proxy may add) and the terminator.
     */
    private void relay(Path spool, Body body, long length, int skip) throws Exception {
        AtomicReference<String> sent = new AtomicReference<>();
        try (HostileServer server = new HostileServer(c -> {
            c.login();
            c.readLine();
            c.send("+OK " + length + " octets");
            DigestOutput out = new DigestOutput(c.out());
            body.writeTo(out);
            sent.set(out.hex());
            c.raw(".\r\n".getBytes(StandardCharsets.US_ASCII));
            c.answer("+OK bye");
        });
             ForkedProxy proxy = new ForkedProxy(jvm(), server.port(), 10_000, spool, dir.resolve("child.err"));
             RawClient c = new RawClient(proxy.port(), 30_000)) {
            long start = System.nanoTime();
            c.login();
            c.send("RETR 1").expect("+OK " + length + " octets");
            InputStream in = c.in();
            in.readNBytes(skip);
            MessageDigest sha = sha256();
            byte[] buf = new byte[64 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                assertTrue(n > 0, "the body ended early, " + left + " bytes missing");
                sha.update(buf, 0, n);
                left -= n;
            }
            c.expect(".");
            c.send("QUIT").expect("+OK bye");
            assertEquals(sent.get(), HexFormat.of().formatHex(sha.digest()), "SHA-256 of the body");
            long peak = proxy.stop();
            System.out.printf("relayed %d MiB in %d ms; child heap peak %d MiB (%s)%n", length / MIB,
                    (System.nanoTime() - start) / 1_000_000, peak / MIB, HEAP);
            assertTrue(peak > 0 && peak <= 32 * MIB, "peak " + peak);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Passes bytes on and hashes them. */
    static final class DigestOutput extends OutputStream {
        private final OutputStream out;
        private final MessageDigest sha = sha256();

        DigestOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            sha.update(b, off, len);
            out.write(b, off, len);
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
