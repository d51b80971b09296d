package org.pop3proxy.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pid file is written as root in a directory the -u user may write: no planted link is followed. */
class PidFileTest {
    @TempDir
    Path dir;

    @Test
    void aPlantedLinkAtTheTemporaryNameIsReplacedNotFollowed() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "root:important\n");
        Files.createSymbolicLink(dir.resolve("proxy.pid.tmp"), victim);
        assertTrue(Main.writePid(dir.resolve("proxy.pid"), 4242));
        assertEquals("root:important\n", Files.readString(victim, StandardCharsets.US_ASCII));
        assertEquals("4242\n", Files.readString(dir.resolve("proxy.pid"), StandardCharsets.US_ASCII));
        assertTrue(Files.notExists(dir.resolve("proxy.pid.tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
