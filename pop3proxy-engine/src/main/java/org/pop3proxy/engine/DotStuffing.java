package org.pop3proxy.engine;

/**
 * Dot-stuffs a message for the wire, chunk after chunk (RFC 1939, section 3): a line that begins
 * with {@code '.'} gets one more in front. Lines are found eight bytes at a time
 * ({@link BodyEnd#nextLineFeed}) and copied whole, as mail lines are some 70 bytes long.
 */
final class DotStuffing {
    private boolean lineStart = true;

    /**
     * Copies {@code in[0..n)} into {@code out} dot-stuffed and returns how many bytes it wrote;
     * {@code out} must hold {@code 2 * n} bytes (every line one byte long and a dot).
     */
    int stuff(byte[] in, int n, byte[] out) {
        int o = 0;
        int i = 0;
        while (i < n) {
            if (lineStart && in[i] == '.') {
                out[o++] = '.';
            }
            int lineFeed = BodyEnd.nextLineFeed(in, i, n);
            int end = lineFeed < n ? lineFeed + 1 : n;
            System.arraycopy(in, i, out, o, end - i);
            o += end - i;
            lineStart = lineFeed < n;
            i = end;
        }
        return o;
    }

    /** Returns whether the bytes so far end with a line feed (or there were none). */
    boolean atLineStart() {
        return lineStart;
    }
}
