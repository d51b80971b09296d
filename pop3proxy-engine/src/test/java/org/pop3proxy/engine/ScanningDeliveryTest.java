package org.pop3proxy.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.VirusScanner;

/** Checks the spool, scan and deliver path with byte arrays and a scripted scanner. */
class ScanningDeliveryTest {
    private static final byte[] STATUS = bytes("+OK 120 octets\r\n");

    @TempDir
    Path spoolDir;

    /** A scanner that answers one result and keeps what it was given to scan. */
    private static final class Scripted implements VirusScanner {
        final ScanResult result;
        final List<byte[]> seen = new ArrayList<>();
        final List<String> modes = new ArrayList<>();

        Scripted(ScanResult result) {
            this.result = result;
        }

        @Override
        public ScanResult scan(Path message) {
            try {
                seen.add(Files.readAllBytes(message));
                modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(message)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return result;
        }

        @Override
        public String description() {
            return "Scripted 1.0";
        }
    }

    private static List<Integer> randomSizes(long seed) {
        Random random = new Random(seed);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sizes.add(1 + random.nextInt(7));
        }
        return sizes;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private ProxyConfig config(VirusScanner scanner, long maxScanSize) {
        return ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of("127.0.0.1", 110)))
                .virusScanner(scanner)
                .spoolDirectory(spoolDir)
                .maxScanSize(maxScanSize)
                .build();
    }

    private ScanningDelivery.Outcome deliver(VirusScanner scanner, long max, InputStream server, OutputStream client)
            throws Exception {
        Upstream upstream = new Upstream(server, OutputStream.nullOutputStream(), () -> { });
        StatusLine status = StatusLine.parse(STATUS, STATUS.length);
        return ScanningDelivery.deliver(config(scanner, max), status, upstream, client);
    }

    private void assertSpoolEmpty() throws IOException {
        try (Stream<Path> files = Files.list(spoolDir)) {
            assertEquals(0, files.count(), "spool files left behind");
        }
    }

    private static final String BODY = "From: a@example.org\r\nSubject: dots\r\n\r\n"
            + "..leading dot\r\n...two\r\n.\rodd\r\nplain\r\n..\r\nlast\r\n";
    private static final String UNSTUFFED = "From: a@example.org\r\nSubject: dots\r\n\r\n"
            + ".leading dot\r\n..two\r\n\rodd\r\nplain\r\n.\r\nlast\r\n";

    @Test
    void deliversACleanMessageByteForByteAfterTheScannedHeader() throws Exception {
        for (long seed = 0; seed < 50; seed++) {
            Scripted scanner = new Scripted(ScanResult.clean());
            ByteArrayOutputStream client = new ByteArrayOutputStream();
            assertEquals(ScanningDelivery.Outcome.DELIVERED,
                    deliver(scanner, 1000, new Chunked(bytes(BODY + ".\r\n"), randomSizes(seed)), client));
            assertEquals(UNSTUFFED, text(scanner.seen.get(0)), "seed " + seed);
            // The one un-stuffing that does not round-trip: a dot before CR.
            String expected = BODY.replace(".\rodd", "\rodd");
            assertEquals("+OK 120 octets\r\nX-Proxy-Scanned: pop3proxy; Scripted 1.0\r\n" + expected + ".\r\n",
                    text(client.toByteArray()));
        }
        assertSpoolEmpty();
    }

    @Test
    void spoolsPrivately() throws Exception {
        Scripted scanner = new Scripted(ScanResult.clean());
        deliver(scanner, 1000, new ByteArrayInputStream(bytes("x\r\n.\r\n")), new ByteArrayOutputStream());
        assertEquals("rw-------", scanner.modes.get(0));
    }

    @Test
    void deliversAnEmptyBodyAndBareLineFeeds() throws Exception {
        Scripted scanner = new Scripted(ScanResult.clean());
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        deliver(scanner, 1000, new ByteArrayInputStream(bytes(".\r\n")), client);
        assertEquals(0, scanner.seen.get(0).length);
        assertEquals("+OK 120 octets\r\nX-Proxy-Scanned: pop3proxy; Scripted 1.0\r\n.\r\n", text(client.toByteArray()));

        client.reset();
        deliver(scanner, 1000, new ByteArrayInputStream(bytes("a\n..b\n.\n")), client);
        assertEquals("a\n.b\n", text(scanner.seen.get(1)));
        assertTrue(text(client.toByteArray()).endsWith("\r\na\n..b\n.\r\n"), text(client.toByteArray()));
    }

    @Test
    void replacesAnInfectedMessageWithANotice() throws Exception {
        Scripted scanner = new Scripted(ScanResult.infected("Evil.Test\r\nBcc: victim@example.org"));
        String message = "From: a@example.org\r\nSubject: =?utf-8?q?h=C3=A9?= \u00e9\u0001\u001b[31m\r\n"
                + " folded\r\n.Odd: dot\r\n\r\nSECRET-BODY\r\n";
        String stuffed = message.replace("\r\n.Odd", "\r\n..Odd");
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        assertEquals(ScanningDelivery.Outcome.DELIVERED,
                deliver(scanner, 1000, new ByteArrayInputStream(bytes(stuffed + ".\r\n")), client));
        String out = text(client.toByteArray());
        assertTrue(out.startsWith("+OK 120 octets\r\nDate: "), out);
        assertTrue(out.endsWith("\r\n.\r\n"), out);
        String notice = out.substring("+OK 120 octets\r\n".length(), out.length() - 3);
        int split = notice.indexOf("\r\n\r\n");
        List<String> headers = List.of(notice.substring(0, split).split("\r\n"));
        for (String name : new String[] {"Date: ", "From: ", "Subject: ", "Message-ID: <", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=us-ascii", "X-Proxy-Scanned: pop3proxy; Scripted 1.0"}) {
            assertEquals(1, headers.stream().filter(h -> h.startsWith(name)).count(), name + " in " + headers);
        }
        assertTrue(headers.contains("Subject: [virus removed] Evil.Test__Bcc:_victim@example.org"), headers.toString());
        assertFalse(notice.contains("SECRET-BODY"));
        assertTrue(notice.contains("\r\n    From: a@example.org\r\n"), notice);
        assertTrue(notice.contains("\r\n    Subject: =?utf-8?q?h=C3=A9?= [31m\r\n     folded\r\n"), notice);
        assertTrue(notice.contains("\r\n    .Odd: dot\r\n"), notice);
        for (char c : notice.toCharArray()) {
            assertTrue(c == '\r' || c == '\n' || c >= 0x20 && c < 0x7f, "byte " + (int) c);
        }
        for (String line : notice.split("\r\n")) {
            assertFalse(line.startsWith(".") && !line.startsWith(".."), line);
            assertTrue(line.length() <= 998, line);
        }
        assertSpoolEmpty();
    }

    @Test
    void capsTheQuotedHeaders() throws Exception {
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            m.append("X-H").append(i).append(": ").append("v".repeat(300)).append("\r\n");
        }
        m.append("\r\nbody\r\n.\r\n");
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        deliver(new Scripted(ScanResult.infected("V")), 1_000_000, new ByteArrayInputStream(bytes(m.toString())),
                client);
        String out = text(client.toByteArray());
        assertTrue(out.length() < 30_000, "notice of " + out.length());
        assertTrue(out.contains("    X-H99: "), out);
        assertFalse(out.contains("    X-H100: "));
        assertTrue(out.contains("    [...]\r\n"));
    }

    @Test
    void refusesWithoutSendingAnythingWhenTheScanFails() throws Exception {
        Scripted scanner = new Scripted(ScanResult.failed("clamd answered: garbage"));
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        assertEquals(ScanningDelivery.Outcome.REFUSED,
                deliver(scanner, 1000, new ByteArrayInputStream(bytes(BODY + ".\r\n")), client));
        assertEquals(0, client.size());
        assertSpoolEmpty();
    }

    @Test
    void refusesAMessageAboveTheLimitWithoutScanningIt() throws Exception {
        Scripted scanner = new Scripted(ScanResult.clean());
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        byte[] body = bytes("x".repeat(98) + "\r\n" + ".\r\n");
        assertEquals(ScanningDelivery.Outcome.REFUSED, deliver(scanner, 99, new ByteArrayInputStream(body), client));
        assertEquals(0, client.size());
        assertTrue(scanner.seen.isEmpty());
        assertSpoolEmpty();
        assertEquals(ScanningDelivery.Outcome.DELIVERED, deliver(scanner, 100, new ByteArrayInputStream(body), client));
    }

    @Test
    void aServerThatStopsMidBodyIsAFailureAndNothingIsSent() throws Exception {
        Scripted scanner = new Scripted(ScanResult.clean());
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        UpstreamFailure e = assertThrows(UpstreamFailure.class,
                () -> deliver(scanner, 1000, new ByteArrayInputStream(bytes("half a mess")), client));
        assertEquals("server closed the connection", e.getMessage());
        assertEquals(0, client.size());
        assertTrue(scanner.seen.isEmpty());
        assertSpoolEmpty();
    }

    @Test
    void dataAfterTheTerminatorIsAFailure() throws Exception {
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        assertThrows(UpstreamFailure.class, () -> deliver(new Scripted(ScanResult.clean()), 1000,
                new ByteArrayInputStream(bytes("a\r\n.\r\n+OK extra\r\n")), client));
        assertEquals(0, client.size());
        assertSpoolEmpty();
    }

    @Test
    void aClientGoneDuringDeliveryLeavesNoSpoolFile() throws Exception {
        OutputStream broken = new BrokenOutput();
        assertThrows(ClientGone.class, () -> deliver(new Scripted(ScanResult.clean()), 1000,
                new ByteArrayInputStream(bytes("a\r\n.\r\n")), broken));
        assertSpoolEmpty();
    }

    @Test
    void refusesWhenTheSpoolDirectoryIsMissing() throws Exception {
        Scripted scanner = new Scripted(ScanResult.clean());
        ProxyConfig config = config(scanner, 1000).toBuilder().spoolDirectory(spoolDir.resolve("absent")).build();
        Upstream upstream = new Upstream(new ByteArrayInputStream(bytes("a\r\n.\r\n")),
                OutputStream.nullOutputStream(), () -> { });
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        assertEquals(ScanningDelivery.Outcome.REFUSED,
                ScanningDelivery.deliver(config, StatusLine.parse(STATUS, STATUS.length), upstream, client));
        assertEquals(0, client.size());
    }

    @Test
    void unstuffsAcrossEveryChunkBoundary() {
        byte[] body = bytes(BODY + ".\r\n");
        for (int split = 0; split <= body.length; split++) {
            BodyEnd u = new BodyEnd();
            byte[] out = new byte[body.length + 1];
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int end = u.unstuff(body, 0, split, out);
            got.write(out, 0, u.produced());
            if (end < 0) {
                end = u.unstuff(body, split, body.length, out);
                got.write(out, 0, u.produced());
                assertEquals(body.length, end, "split " + split);
            }
            assertArrayEquals(bytes(UNSTUFFED), got.toByteArray(), "split " + split);
        }
    }

    @Test
    void sanitizesVirusNames() {
        assertEquals("Win.Test.EICAR_HDB-1", ScanningDelivery.sanitizeVirusName("Win.Test.EICAR_HDB-1"));
        assertEquals("a_b_c", ScanningDelivery.sanitizeVirusName("a\rb\nc"));
        assertEquals("unknown", ScanningDelivery.sanitizeVirusName(""));
        assertEquals(100, ScanningDelivery.sanitizeVirusName("x".repeat(500)).length());
    }
}
