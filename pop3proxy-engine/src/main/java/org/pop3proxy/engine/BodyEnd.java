package org.pop3proxy.engine;

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
                // Fast path: skip to the next line feed.
                while (i < to && b[i] != '\n') {
                    i++;
                }
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
}
