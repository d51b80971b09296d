package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.engine.defaults.ClamdFake.Fault;

/** Checks the clamd protocol and every way clamd can fail, against a scripted fake clamd. */
class ClamdScannerFaultTest {
    @TempDir
    Path dir;

    private Path message(int size) throws IOException {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(dir.resolve("m" + size), b);
    }

    private static String reason(ScanResult r) {
        return assertInstanceOf(ScanResult.Failed.class, r).reason();
    }

    @Test
    void streamsTheMessageInChunksAndTakesAnExactOkAsClean() throws IOException {
        Path m = message(10_000);
        try (ClamdFake fake = ClamdFake.start(Fault.NONE)) {
            ScanResult r = fake.scanner().chunkSize(4096).build().scan(m);
            assertEquals(ScanResult.clean(), r);
            assertEquals(List.of("zINSTREAM"), fake.commands());
            assertArrayEquals(Files.readAllBytes(m), fake.streams().get(0));
            assertEquals(List.of(4096, 4096, 1808, 0), fake.chunkSizes());
        }
    }

    @Test
    void sendsAnEmptyMessageAsTheTerminatingChunkAlone() throws IOException {
        Path m = message(0);
        try (ClamdFake fake = ClamdFake.start(Fault.NONE)) {
            assertEquals(ScanResult.clean(), fake.scanner().build().scan(m));
            assertEquals(List.of(0), fake.chunkSizes());
        }
    }

    @Test
    void reportsFoundAsInfectedWithTheName() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.FOUND)) {
            assertEquals(ScanResult.infected("Fake.Test.Virus"), fake.scanner().build().scan(message(100)));
        }
    }

    @Test
    void failsWhenClamdRefusesTheConnection() throws IOException {
        ScanResult r = ClamdScanner.builder().tcp("127.0.0.1", ClamdFake.refusingPort()).build().scan(message(100));
        assertTrue(reason(r).startsWith("cannot connect to clamd at 127.0.0.1:"), reason(r));
    }

    @Test
    void failsWithinTheReadTimeoutWhenClamdIsSilent() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.SILENT)) {
            long start = System.nanoTime();
            ScanResult r = fake.scanner().build().scan(message(100));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(reason(r).contains("timed out"), reason(r));
            assertTrue(millis >= 400 && millis < 5000, "took " + millis + " ms");
        }
    }

    @Test
    void failsWhenClamdDropsTheConnectionMidStream() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.DROP_MID_STREAM)) {
            ScanResult r = fake.scanner().chunkSize(1024).build().scan(message(2_000_000));
            reason(r);
            assertTrue(fake.streams().isEmpty());
        }
    }

    @Test
    void failsOnGarbage() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.GARBAGE)) {
            String reason = reason(fake.scanner().build().scan(message(100)));
            assertEquals("clamd answered: \\x01hello\\x0d\\x0a", reason);
        }
    }

    @Test
    void failsOnAnAnswerWithoutItsTerminator() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.NO_TERMINATOR)) {
            assertTrue(reason(fake.scanner().build().scan(message(100))).contains("without its terminator"));
        }
    }

    @Test
    void failsOnAnythingButAnExactOk() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.OK_WITH_SUFFIX)) {
            assertEquals("clamd answered: stream: OK trailing", reason(fake.scanner().build().scan(message(100))));
        }
    }

    @Test
    void failsOnClamdsSizeLimitError() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.SIZE_LIMIT)) {
            String reason = reason(fake.scanner().chunkSize(1024).build().scan(message(100_000)));
            assertTrue(reason.contains("INSTREAM size limit exceeded. ERROR"), reason);
        }
    }

    @Test
    void failsWhenTheAnswerComesAfterTheReadTimeout() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.SLOW)) {
            Path m = message(50_000);
            String reason = reason(fake.scanner().build().scan(m));
            assertTrue(reason.contains("timed out after 500 ms"), reason);
            assertArrayEquals(Files.readAllBytes(m), fake.streams().get(0));
        }
    }

    @Test
    void failsWhenTheWholeScanTakesLongerThanTheTotalTimeout() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.SLOW)) {
            long start = System.nanoTime();
            String reason = reason(fake.scanner().readTimeout(Duration.ofSeconds(30))
                    .totalTimeout(Duration.ofMillis(300)).build().scan(message(100)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(reason.contains("timed out"), reason);
            assertTrue(millis < 5000, "took " + millis + " ms");
        }
    }

    @Test
    void takesALateOkWithinTheTimeoutAsClean() throws IOException {
        try (ClamdFake fake = ClamdFake.delayed(Duration.ofMillis(300))) {
            ScanResult r = fake.scanner().readTimeout(Duration.ofSeconds(5)).build().scan(message(100));
            assertEquals(ScanResult.clean(), r);
        }
    }

    @Test
    void failsAboveTheSizeLimitWithoutAskingClamd() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.NONE)) {
            String reason = reason(fake.scanner().maxSize(1000).build().scan(message(1001)));
            assertEquals("message of 1001 bytes is above the scan limit of 1000 bytes", reason);
            assertTrue(fake.commands().isEmpty());
            assertEquals(ScanResult.clean(), fake.scanner().maxSize(1000).build().scan(message(1000)));
        }
    }

    @Test
    void failsWhenTheSpoolFileIsMissing() {
        String reason = reason(ClamdScanner.builder().build().scan(dir.resolve("absent")));
        assertTrue(reason.contains("absent"), reason);
    }

    @Test
    void failsForAnUnknownHost() throws IOException {
        String reason = reason(ClamdScanner.builder().tcp("no-such-host.invalid", 3310).build().scan(message(10)));
        assertTrue(reason.contains("no-such-host.invalid"), reason);
    }

    @Test
    void probeAcceptsPongAndCachesTheVersion() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.NONE)) {
            ClamdScanner s = fake.scanner().build();
            s.probe();
            assertEquals(List.of("zPING", "zVERSION"), fake.commands());
            assertEquals("ClamAV 0.0.0-fake/1/Thu Jan  1 00:00:00 1970", s.description());
            assertEquals(2, fake.commands().size());
        }
    }

    @Test
    void probeThrowsWithoutPong() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.NO_PONG)) {
            IOException e = assertThrows(IOException.class, () -> fake.scanner().build().probe());
            assertTrue(e.getMessage().contains("PANG"), e.getMessage());
        }
    }

    @Test
    void probeThrowsWhenSilentOrRefused() throws IOException {
        try (ClamdFake fake = ClamdFake.start(Fault.SILENT)) {
            assertThrows(IOException.class, () -> fake.scanner().build().probe());
        }
        int port = ClamdFake.refusingPort();
        assertThrows(IOException.class, () -> ClamdScanner.builder().tcp("127.0.0.1", port).build().probe());
    }

    @Test
    void descriptionNamesTheAddressWhenClamdDoesNotAnswer() throws IOException {
        int port = ClamdFake.refusingPort();
        assertEquals("clamd at 127.0.0.1:" + port,
                ClamdScanner.builder().tcp("127.0.0.1", port).build().description());
    }

    @Test
    void builderRejectsOutOfRangeSettings() {
        assertThrows(IllegalArgumentException.class, () -> ClamdScanner.builder().chunkSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> ClamdScanner.builder().tcp("h", 0));
        assertThrows(IllegalArgumentException.class,
                () -> ClamdScanner.builder().readTimeout(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> ClamdScanner.builder().maxSize(-1).build());
        assertThrows(NullPointerException.class, () -> ClamdScanner.builder().unixSocket(null));
    }

    @Test
    void verdictIsCleanOnlyForTheExactOk() {
        assertEquals(ScanResult.clean(), ClamdScanner.verdict("stream: OK", "stream"));
        assertEquals(ScanResult.infected("Eicar-Test-Signature"),
                ClamdScanner.verdict("stream: Eicar-Test-Signature FOUND", "stream"));
        for (String bad : new String[] {"", "OK", "stream: OK ", "stream:OK", "stream: FOUND",
                "stream:  FOUND", "lstat() failed: No such file. ERROR", "stream: OK\nstream: X FOUND"}) {
            assertInstanceOf(ScanResult.Failed.class, ClamdScanner.verdict(bad, "stream"), bad);
        }
    }
}
