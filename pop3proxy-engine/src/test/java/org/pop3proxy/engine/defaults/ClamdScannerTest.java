package org.pop3proxy.engine.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ScanResult;

/** Scans with a real clamd, started by {@link ClamdExtension} with an EICAR-only database. */
class ClamdScannerTest {
    @RegisterExtension
    static final ClamdExtension CLAMD = new ClamdExtension();

    @TempDir
    Path dir;

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static void assertEicar(ScanResult r) {
        String name = assertInstanceOf(ScanResult.Infected.class, r, r.toString()).name();
        assertTrue(name.startsWith("Eicar-Test-Signature"), name);
    }

    @Test
    void findsEicarInline() throws IOException {
        assertEicar(CLAMD.scanner().build().scan(write("inline", ClamdTestMessages.eicarInline())));
    }

    @Test
    void findsEicarInABase64Attachment() throws IOException {
        Path m = write("attachment", ClamdTestMessages.eicarAttachment());
        assertTrue(!new String(Files.readAllBytes(m), "US-ASCII").contains(ClamdTestMessages.eicar()));
        assertEicar(CLAMD.scanner().build().scan(m));
    }

    @Test
    void findsEicarWithContscan() throws IOException {
        ClamdScanner s = CLAMD.scanner().mode(ClamdScanner.Mode.CONTSCAN).build();
        assertEicar(s.scan(write("contscan", ClamdTestMessages.eicarAttachment())));
        assertEquals(ScanResult.clean(), s.scan(write("contscan-clean", ClamdTestMessages.small())));
    }

    @Test
    void findsEicarOverTheUnixSocket() throws IOException {
        assumeTrue(CLAMD.unixSocket().isPresent(), "clamd has no Unix socket here");
        ClamdScanner s = CLAMD.scanner().unixSocket(CLAMD.unixSocket().get()).build();
        assertEicar(s.scan(write("unix", ClamdTestMessages.eicarInline())));
        assertEquals(ScanResult.clean(), s.scan(write("unix-clean", ClamdTestMessages.small())));
    }

    @Test
    void passesAnEmptyMessage() throws IOException {
        assertEquals(ScanResult.clean(), CLAMD.scanner().build().scan(write("empty", new byte[0])));
    }

    @Test
    void passesASmallMessage() throws IOException {
        assertEquals(ScanResult.clean(), CLAMD.scanner().build().scan(write("small", ClamdTestMessages.small())));
    }

    @Test
    void passesA50MegabyteMessage() throws IOException {
        Path m = ClamdTestMessages.writeClean(dir.resolve("big"), 50L * 1024 * 1024);
        assertEquals(50L * 1024 * 1024, Files.size(m));
        assertEquals(ScanResult.clean(), CLAMD.scanner().chunkSize(1 << 20).build().scan(m));
    }

    @Test
    void probesAndDescribesClamd() throws IOException {
        ClamdScanner s = CLAMD.scanner().build();
        s.probe();
        assertTrue(s.description().startsWith("ClamAV "), s.description());
    }

    @Test
    void scansConcurrently() throws Exception {
        Path bad = write("bad", ClamdTestMessages.eicarAttachment());
        Path good = write("good", ClamdTestMessages.small());
        ClamdScanner s = CLAMD.scanner().build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ScanResult>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                Path m = i % 2 == 0 ? bad : good;
                results.add(pool.submit(() -> s.scan(m)));
            }
            for (int i = 0; i < results.size(); i++) {
                ScanResult r = results.get(i).get();
                if (i % 2 == 0) {
                    assertEicar(r);
                } else {
                    assertEquals(ScanResult.clean(), r);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
