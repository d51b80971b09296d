package org.pop3proxy.engine;

import java.util.Random;
import org.junit.jupiter.api.Test;

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
}
