package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class SyslogSinkTest {

    @Test
    void formatsLikeSyslog3WithFacilityMail() {
        byte[] d = SyslogSink.format(Level.INFO, "login accepted", LocalDateTime.of(2024, 3, 5, 7, 8, 9), 4242);
        assertEquals("<22>Mar  5 07:08:09 pop3.proxy[4242]: login accepted", new String(d, StandardCharsets.UTF_8));
        byte[] e = SyslogSink.format(Level.ERROR, "x", LocalDateTime.of(2024, 12, 25, 23, 0, 0), 1);
        assertEquals("<19>Dec 25 23:00:00 pop3.proxy[1]: x", new String(e, StandardCharsets.UTF_8));
    }

    @Test
    void theTimeStampIsSyslog3sInEnglishWhateverTheLocale() {
        DateTimeFormatter reference = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            for (LocalDateTime t = LocalDateTime.of(2024, 1, 1, 0, 0, 0); t.getYear() == 2024; t = t.plusHours(37).plusSeconds(61)) {
                assertEquals(t.format(reference), SyslogSink.stamp(t), t.toString());
            }
            assertEquals("Feb 29 23:59:59", SyslogSink.stamp(LocalDateTime.of(2024, 2, 29, 23, 59, 59)));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void mapsLevelsToSeverities() {
        assertEquals(3, SyslogSink.severity(Level.ERROR));
        assertEquals(4, SyslogSink.severity(Level.WARN));
        assertEquals(6, SyslogSink.severity(Level.INFO));
        assertEquals(7, SyslogSink.severity(Level.DEBUG));
        assertEquals(7, SyslogSink.severity(Level.TRACE));
    }

    @Test
    void cutsLongLines() {
        byte[] d = SyslogSink.format(Level.INFO, "y".repeat(20_000), LocalDateTime.now(), 1);
        assertEquals(SyslogSink.MAX_DATAGRAM, d.length);
    }

    @Test
    void buildsSockaddrUnForLinuxAndBsd() throws IOException {
        byte[] path = "/dev/log".getBytes(StandardCharsets.US_ASCII);
        byte[] linux = UnixDatagram.address(path, true);
        assertEquals(2 + 8 + 1, linux.length);
        assertEquals(1, linux[0] | linux[1], "AF_UNIX in the 16-bit family");
        assertArrayEquals(path, java.util.Arrays.copyOfRange(linux, 2, 10));
        assertEquals(0, linux[10]);
        byte[] bsd = UnixDatagram.address(path, false);
        assertEquals(11, bsd[0]);
        assertEquals(1, bsd[1]);
        assertThrows(IOException.class, () -> UnixDatagram.address(new byte[108], true));
        assertThrows(IOException.class, () -> UnixDatagram.address(new byte[0], true));
    }

    @Test
    void keepsOneLogCallOnOneLine() {
        assertEquals("line one  line two", Logging.clean("line one\r\nline two"));
    }
}
