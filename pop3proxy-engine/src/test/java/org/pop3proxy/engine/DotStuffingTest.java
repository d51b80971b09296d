package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DotStuffingTest {
    /** The rule byte by byte: a dot at the start of a line gets another dot in front. */
    private static byte[] reference(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (byte c : body) {
            if (lineStart && c == '.') {
                out.write('.');
            }
            out.write(c);
            lineStart = c == '\n';
        }
        return out.toByteArray();
    }

    /** Stuffs {@code body} in chunks of random sizes from 1 to {@code maxChunk} bytes. */
    private static byte[] stuffInChunks(byte[] body, Random random, int maxChunk,
            DotStuffing stuffing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int n = Math.min(body.length - at, 1 + random.nextInt(maxChunk));
            byte[] in = new byte[n];
            System.arraycopy(body, at, in, 0, n);
            byte[] buf = new byte[2 * n];
            out.write(buf, 0, stuffing.stuff(in, n, buf));
            at += n;
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aDotThatBeginsALineIsDoubledAndNoOtherIs() {
        DotStuffing stuffing = new DotStuffing();
        byte[] in = ascii(".a\r\nb.c\r\n..\r\n\r\n.\r\nx.");
        byte[] out = new byte[2 * in.length];
        int n = stuffing.stuff(in, in.length, out);
        assertEquals("..a\r\nb.c\r\n...\r\n\r\n..\r\nx.",
                new String(out, 0, n, StandardCharsets.US_ASCII));
        assertFalse(stuffing.atLineStart(), "the body did not end with a line feed");
    }

    @Test
    void aLineSplitBetweenChunksIsStuffedOnlyAtItsStart() {
        DotStuffing stuffing = new DotStuffing();
        byte[] out = new byte[16];
        assertEquals(3, stuffing.stuff(ascii("ab\n"), 3, out));
        assertTrue(stuffing.atLineStart());
        assertEquals(2, stuffing.stuff(ascii("x."), 2, out));
        assertEquals("x.", new String(out, 0, 2, StandardCharsets.US_ASCII));
        int n = stuffing.stuff(ascii(".\n."), 3, out);
        assertEquals(".\n..", new String(out, 0, n, StandardCharsets.US_ASCII),
                "a dot in mid-line stays single, the next line's dot is doubled");
    }

    @Test
    void everyLineOfDotsEverySplitLikeTheByteRule() {
        Random random = new Random(7);
        byte[] alphabet = {'.', '.', '\r', '\n', 'a', 'b', ' '};
        for (int round = 0; round < 3000; round++) {
            byte[] body = new byte[random.nextInt(300)];
            for (int i = 0; i < body.length; i++) {
                body[i] = alphabet[random.nextInt(alphabet.length)];
            }
            DotStuffing stuffing = new DotStuffing();
            byte[] stuffed = stuffInChunks(body, random, 1 + random.nextInt(40), stuffing);
            assertArrayEquals(reference(body), stuffed);
            assertEquals(body.length == 0 || body[body.length - 1] == '\n', stuffing.atLineStart());
        }
    }

    @Test
    void longMailLikeLinesInLargeChunks() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            b.append(i % 100 == 99 ? "." : "L").append(i)
                    .append(" The quick brown fox jumps over the lazy dog.\r\n");
        }
        byte[] body = ascii(b.toString());
        byte[] stuffed = stuffInChunks(body, new Random(3), 64 * 1024, new DotStuffing());
        assertArrayEquals(reference(body), stuffed);
    }
}
