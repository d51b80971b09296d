package org.pop3proxy.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the end of a multi-line POP3 body, the line holding a lone dot, across any split of the
 * byte stream into chunks. The body starts at a line start. {@code .CRLF} ends it; so does
 * {@code .LF} from a server that uses bare line feeds. Dot-stuffed lines ({@code ..}) do not.
 *
 * <p>One state machine ({@link #next}) serves both uses: {@link #scan} only finds the end (the
 * relay, which copies bytes as they are), {@link #unstuff} also undoes the dot-stuffing (the
 * spool for the virus scan). Inside a line both skip, eight bytes at a time, to the next line
 * feed that a dot follows: only there can the end begin or a stuffed dot need undoing.
 */
final class BodyEnd {
    private static final int LINE_START = 0;
    private static final int MIDDLE = 1;
    /** A dot at a line start: the terminator, or the dot of a stuffed line. */
    private static final int DOT = 2;
    /** A dot and a carriage return at a line start; the CR is held back until the next byte. */
    private static final int DOT_CR = 3;
    /** Just past the terminator. */
    private static final int END = 4;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long DOTS = 0x2E2E2E2E2E2E2E2EL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private int state = LINE_START;
    /** How many bytes the last {@link #unstuff} put into its output. */
    private int produced;

    /** Returns the state after byte {@code c} in state {@code s}; {@link #END} past the terminator. */
    private static int next(int s, byte c) {
        switch (s) {
            case LINE_START:
                return c == '.' ? DOT : c == '\n' ? LINE_START : MIDDLE;
            case DOT:
                return c == '\n' ? END : c == '\r' ? DOT_CR : MIDDLE;
            case DOT_CR:
                return c == '\n' ? END : MIDDLE;
            default: // MIDDLE
                return c == '\n' ? LINE_START : MIDDLE;
        }
    }

    /**
     * Scans {@code b[from..to)} and returns the index just past the terminator, or -1 if the body
     * does not end in this chunk.
     */
    int scan(byte[] b, int from, int to) {
        int s = state;
        int i = from;
        while (i < to) {
            if (s == MIDDLE) {
                int lf = lineFeedBeforeDot(b, i, to);
                if (lf < 0) {
                    // No line starts with a dot in the rest of this chunk; a line may start next.
                    s = b[to - 1] == '\n' ? LINE_START : MIDDLE;
                    break;
                }
                s = DOT;
                i = lf + 2;
                continue;
            }
            s = next(s, b[i++]);
            if (s == END) {
                state = LINE_START;
                return i;
            }
        }
        state = s;
        return -1;
    }

    /**
     * Scans {@code in[from..to)} like {@link #scan} and copies the body bytes in it to {@code out}
     * (which must hold {@code to - from + 1} bytes) without the dot-stuffing and without the
     * terminator; {@link #produced} then says how many. A body's bytes come out the same
     * whatever the split into chunks: only a line-start dot, and a CR right after it, are held
     * back until the next byte shows whether they begin the terminator.
     */
    int unstuff(byte[] in, int from, int to, byte[] out) {
        int s = state;
        int o = 0;
        int i = from;
        while (i < to) {
            if (s == MIDDLE) {
                // Lines that do not start with a dot are copied as they are, many at a time.
                int lf = lineFeedBeforeDot(in, i, to);
                int stop = lf < 0 ? to : lf + 1;
                System.arraycopy(in, i, out, o, stop - i);
                o += stop - i;
                i = stop;
                s = in[stop - 1] == '\n' ? LINE_START : MIDDLE;
                continue;
            }
            byte c = in[i++];
            int t = next(s, c);
            if (t == END) {
                state = LINE_START;
                produced = o;
                return i;
            }
            if (s == DOT_CR) {
                out[o++] = '\r';
            }
            if (t != DOT && t != DOT_CR) {
                out[o++] = c;
            }
            s = t;
        }
        state = s;
        produced = o;
        return -1;
    }

    /** Returns how many bytes the last {@link #unstuff} put into its output. */
    int produced() {
        return produced;
    }

    /**
     * Returns the index of the first line feed in {@code b[from..to)} that a dot follows in it, or
     * -1. Looks at eight positions at a time: in {@code x = (word(k) ^ LFS) | (word(k + 1) ^ DOTS)}
     * a zero byte is a line feed with a dot after it, and {@code (x - ONES) & ~x & HIGHS} marks
     * the lowest zero byte exactly (marks above it may be false, and are never looked at).
     */
    static int lineFeedBeforeDot(byte[] b, int from, int to) {
        int i = from;
        while (i <= to - Long.BYTES - 1) {
            long x = ((long) LONGS.get(b, i) ^ LFS) | ((long) LONGS.get(b, i + 1) ^ DOTS);
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += Long.BYTES;
        }
        for (; i < to - 1; i++) {
            if (b[i] == '\n' && b[i + 1] == '.') {
                return i;
            }
        }
        return -1;
    }
}
