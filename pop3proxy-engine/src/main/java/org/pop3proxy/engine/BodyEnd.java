package org.pop3proxy.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the end of a multi-line POP3 body, the line holding a lone dot, across any split of the
 * byte stream into chunks. The body starts at a line start. {@code .CRLF} ends it; so does
 * {@code .LF} from a server that uses bare line feeds. Dot-stuffed lines ({@code ..}) do not.
 */
final class BodyEnd {
    private static final int LINE_START = 0;
    private static final int MIDDLE = 1;
    private static final int DOT = 2;
    private static final int DOT_CR = 3;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private int state = LINE_START;

    /**
     * Scans {@code b[from..to)} and returns the index just past the terminator, or -1 if the body
     * does not end in this chunk.
     */
    int scan(byte[] b, int from, int to) {
        int s = state;
        int i = from;
        while (i < to) {
            if (s == MIDDLE) {
                i = nextLineFeed(b, i, to);
                if (i == to) {
                    break;
                }
                s = LINE_START;
                i++;
                continue;
            }
            byte c = b[i++];
            switch (s) {
                case LINE_START:
                    s = c == '.' ? DOT : c == '\n' ? LINE_START : MIDDLE;
                    break;
                case DOT:
                    if (c == '\n') {
                        state = LINE_START;
                        return i;
                    }
                    s = c == '\r' ? DOT_CR : MIDDLE;
                    break;
                default: // DOT_CR
                    if (c == '\n') {
                        state = LINE_START;
                        return i;
                    }
                    s = MIDDLE;
                    break;
            }
        }
        state = s;
        return -1;
    }

    /**
     * Returns the index of the first line feed in {@code b[from..to)}, or {@code to}. Looks at
     * eight bytes at a time: in {@code x = word ^ LFS} a line feed is a zero byte, and
     * {@code (x - ONES) & ~x & HIGHS} marks the lowest zero byte exactly (marks above it may be
     * false, and are never looked at).
     */
    static int nextLineFeed(byte[] b, int from, int to) {
        int i = from;
        while (i <= to - Long.BYTES) {
            long x = (long) LONGS.get(b, i) ^ LFS;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += Long.BYTES;
        }
        while (i < to && b[i] != '\n') {
            i++;
        }
        return i;
    }
}
