package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BodyEndTest {
    private static int naive(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] != '\n') {
            i++;
        }
        return i;
    }

    @Test
    void wordAtATimeSearchFindsTheFirstLineFeedLikeAByteLoop() {
        Random random = new Random(42);
        for (int n = 0; n < 5000; n++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                // Bytes near the line feed (0x09, 0x0a, 0x0b, 0x8a) try the carry cases.
                int pick = random.nextInt(6);
                b[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x0b : pick == 2 ? 0x09 : pick == 3 ? 0x8a
                        : random.nextInt(256));
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            assertEquals(naive(b, from, to), BodyEnd.nextLineFeed(b, from, to));
        }
    }

    /**
     * The relay ({@link BodyEnd#scan}) and the spool ({@link BodyEnd#unstuff}) agree on where
     * every body ends, in every split into up to three chunks, and the spool's bytes match a
     * line-by-line reference: every string of up to seven bytes over dot, CR, LF and a letter,
     * then longer bodies with stuffed lines and both terminators.
     */
    @Test
    void relayAndSpoolAgreeOnTheEndInEverySplit() {
        byte[] alphabet = {'.', '\r', '\n', 'a'};
        for (int len = 0; len <= 7; len++) {
            int count = 1 << (2 * len);
            for (int k = 0; k < count; k++) {
                byte[] b = new byte[len];
                for (int i = 0, v = k; i < len; i++, v >>>= 2) {
                    b[i] = alphabet[v & 3];
                }
                checkEverySplit(b, len <= 5);
            }
        }
        String[] bodies = {
            "Subject: x\r\n\r\n..dot\r\n...\r\n.\r\r\n.\rx\r\nend\r\n.\r\n",
            "bare\n..stuffed\n.\n",
            "..\r\n.\r\n",
            "line\r\n.x\r\n.\r.\r\n.\r\n",
            "no terminator\r\n.",
            "no terminator\r\n.\r",
            "a longer line than one eight-byte word, to take the fast path\r\n..and back\r\n.\r\ntrailing",
        };
        for (String body : bodies) {
            checkEverySplit(body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), true);
        }
    }

    private static void checkEverySplit(byte[] b, boolean threeChunks) {
        int end = terminatorEnd(b);
        byte[] expected = referenceUnstuff(b, end < 0 ? b.length : end, end >= 0);
        for (int i = 0; i <= b.length; i++) {
            for (int j = threeChunks ? i : b.length; j <= b.length; j++) {
                int[] cuts = {0, i, j, b.length};
                BodyEnd relay = new BodyEnd();
                BodyEnd spool = new BodyEnd();
                int relayEnd = -1;
                int spoolEnd = -1;
                ByteArrayOutputStream unstuffed = new ByteArrayOutputStream();
                byte[] out = new byte[b.length + 1];
                for (int c = 0; c < 3 && relayEnd < 0; c++) {
                    relayEnd = relay.scan(b, cuts[c], cuts[c + 1]);
                }
                for (int c = 0; c < 3 && spoolEnd < 0; c++) {
                    spoolEnd = spool.unstuff(b, cuts[c], cuts[c + 1], out);
                    unstuffed.write(out, 0, spool.produced());
                }
                String where = Arrays.toString(b) + " cut at " + i + ", " + j;
                assertEquals(end, relayEnd, "relay: " + where);
                assertEquals(end, spoolEnd, "spool: " + where);
                assertArrayEquals(expected, unstuffed.toByteArray(), "spool bytes: " + where);
            }
        }
    }

    /** Returns the index just past the first terminator line in {@code b}, or -1. */
    private static int terminatorEnd(byte[] b) {
        boolean lineStart = true;
        for (int i = 0; i < b.length; i++) {
            if (lineStart && b[i] == '.') {
                if (i + 1 < b.length && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
            lineStart = b[i] == '\n';
        }
        return -1;
    }

    /**
     * Returns {@code b[0..to)} line by line with one leading dot dropped from each line; a
     * terminator line ({@code ended}) gives nothing, nor does an unfinished {@code .CR} (it may
     * yet be the terminator).
     */
    private static byte[] referenceUnstuff(byte[] b, int to, boolean ended) {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        int start = 0;
        while (start < to) {
            int lf = start;
            while (lf < to && b[lf] != '\n') {
                lf++;
            }
            int stop = lf < to ? lf + 1 : to;
            boolean last = stop == to;
            boolean heldBack = last && !ended && stop - start == 2 && b[start] == '.' && b[start + 1] == '\r';
            if (!(last && ended) && !heldBack) {
                int from = b[start] == '.' ? start + 1 : start;
                r.write(b, from, stop - from);
            }
            start = stop;
        }
        return r.toByteArray();
    }
}
