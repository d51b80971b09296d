package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Pop3BytesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void stuffsEveryLineStartingWithADot() {
        assertEquals("..a\r\nb.\r\n...\r\n..\r\n", s(Pop3Bytes.dotStuff(b(".a\r\nb.\r\n..\r\n.\r\n"))));
    }

    @Test
    void endsAnUnterminatedLastLine() {
        assertEquals("abc\r\n", s(Pop3Bytes.dotStuff(b("abc"))));
        assertEquals("", s(Pop3Bytes.dotStuff(b(""))));
        assertEquals("x\n..y\n", s(Pop3Bytes.dotStuff(b("x\n.y\n"))));
    }

    @Test
    void unstuffingReverses() {
        byte[] message = b(".\r\n..\r\n.x\r\nplain \u00ff\r\n");
        assertArrayEquals(message, Pop3Bytes.dotUnstuff(Pop3Bytes.dotStuff(message)));
    }
}
