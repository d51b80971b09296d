package org.pop3proxy.engine;

/**
 * Dot-stuffs a message for the wire, chunk after chunk (RFC 1939, section 3): a line that begins
 * with {@code '.'} gets one more in front. Line feeds followed by a dot are found eight bytes at
 * a time ({@link BodyEnd#lineFeedBeforeDot}); the lines between them are copied as they are.
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
            int lineFeed = BodyEnd.lineFeedBeforeDot(in, i, n);
            int end = lineFeed < 0 ? n : lineFeed + 1;
            System.arraycopy(in, i, out, o, end - i);
            o += end - i;
            lineStart = in[end - 1] == '\n';
            i = end;
        }
        return o;
    }

    /** Returns whether the bytes so far end with a line feed (or there were none). */
    boolean atLineStart() {
        return lineStart;
    }
}
