package org.pop3proxy.engine;

import java.io.InputStream;
import java.util.List;

/** An input stream that hands out its bytes in the given chunk sizes, cycling, like TCP segments. */
final class Chunked extends InputStream {
    private final byte[] data;
    private final List<Integer> sizes;
    private int pos;
    private int next;

    Chunked(byte[] data, List<Integer> sizes) {
        this.data = data;
        this.sizes = sizes;
    }

    @Override
    public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= data.length) {
            return -1;
        }
        int size = sizes.isEmpty() ? len : Math.max(1, sizes.get(next++ % sizes.size()));
        int n = Math.min(Math.min(len, size), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
    }
}
