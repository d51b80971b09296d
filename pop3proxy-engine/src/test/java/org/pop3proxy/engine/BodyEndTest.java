package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BodyEndTest {
    @Test
    void wordAtATimeSearchFindsTheFirstLineFeedBeforeADotLikeAByteLoop() {
        Random random = new Random(7);
        // Line feed, dot and their neighbours (carries and borrows of the zero-byte test).
        byte[] near = {'\n', '.', 0x0b, 0x09, 0x2f, 0x2d, (byte) 0x8a, (byte) 0xae, 0, (byte) 0xff};
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[random.nextInt(48)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256)
                        : near[random.nextInt(near.length)];
            }
            int from = random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            int expected = -1;
            for (int i = from; i < to - 1 && expected < 0; i++) {
                expected = b[i] == '\n' && b[i + 1] == '.' ? i : -1;
            }
            assertEquals(expected, BodyEnd.lineFeedBeforeDot(b, from, to), () -> Arrays.toString(b));
        }
    }

    /**
     * Long bodies of short and long lines, a few of them starting with a dot, in random chunks:
     * the relay's scan and the spool end where the terminator ends, whatever the chunks, and the
     * spool's bytes match the line-by-line reference.
     */
    @Test
    void relayAndSpoolFindTheEndOfLongBodiesInRandomChunks() {
        Random random = new Random(11);
        String[] lines = {"", ".", "..", ".x", ".\r", "a", "a.", "\r", "no dot here at all", "x.\r\n.y",
            "a line of more than two eight-byte words, with a dot. and another."};
        String[] ends = {"\r\n", "\n"};
        for (int n = 0; n < 3_000; n++) {
            StringBuilder body = new StringBuilder();
            int count = random.nextInt(30);
            for (int k = 0; k < count; k++) {
                body.append(lines[random.nextInt(lines.length)]).append(ends[random.nextInt(2)]);
            }
            if (random.nextInt(4) > 0) {
                body.append('.').append(ends[random.nextInt(2)]);
            }
            body.append(random.nextBoolean() ? "" : "after");
            byte[] b = body.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            List<Integer> cuts = new ArrayList<>(List.of(0));
            while (cuts.get(cuts.size() - 1) < b.length) {
                cuts.add(Math.min(b.length, cuts.get(cuts.size() - 1) + 1 + random.nextInt(40)));
            }
            int end = terminatorEnd(b);
            checkChunks(b, cuts.stream().mapToInt(Integer::intValue).toArray(), end,
                    referenceUnstuff(b, end < 0 ? b.length : end, end >= 0), body.toString());
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
                checkChunks(b, new int[] {0, i, j, b.length}, end, expected,
                        Arrays.toString(b) + " cut at " + i + ", " + j);
            }
        }
    }

    /**
     * Feeds {@code b} to a relay ({@link BodyEnd#scan}) and a spool ({@link BodyEnd#unstuff}) in
     * the chunks between {@code cuts}, each until it finds the end; both must end at {@code end}
     * and the spool must have produced {@code expected}.
     */
    private static void checkChunks(byte[] b, int[] cuts, int end, byte[] expected, String where) {
        BodyEnd relay = new BodyEnd();
        BodyEnd spool = new BodyEnd();
        int relayEnd = -1;
        int spoolEnd = -1;
        ByteArrayOutputStream unstuffed = new ByteArrayOutputStream();
        byte[] out = new byte[b.length + 1];
        for (int c = 0; c < cuts.length - 1 && relayEnd < 0; c++) {
            relayEnd = relay.scan(b, cuts[c], cuts[c + 1]);
        }
        for (int c = 0; c < cuts.length - 1 && spoolEnd < 0; c++) {
            spoolEnd = spool.unstuff(b, cuts[c], cuts[c + 1], out);
            unstuffed.write(out, 0, spool.produced());
        }
        assertEquals(end, relayEnd, "relay: " + where);
        assertEquals(end, spoolEnd, "spool: " + where);
        assertArrayEquals(expected, unstuffed.toByteArray(), "spool bytes: " + where);
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
