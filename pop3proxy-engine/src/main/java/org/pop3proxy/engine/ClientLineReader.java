package org.pop3proxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads client command lines: CRLF or a bare LF ends a line; a line longer than RFC 2449's
 * limit or holding a control byte is discarded and reported, without buffering more than the
 * limit. A client that sends more than {@link #MAX_DISCARD} octets without a line end is a flood.
 */
final class ClientLineReader {
    /** RFC 2449 §4: command lines are at most 255 octets, CRLF included. */
    static final int MAX_CONTENT = 255 - 2;
    /** How much of one overlong line is read and thrown away before the client is dropped. */
    static final int MAX_DISCARD = 64 * 1024;

    private final InputStream in;
    private final byte[] line = new byte[MAX_CONTENT + 2];
    private final byte[] chunk = new byte[512];
    private int chunkPos;
    private int chunkEnd;

    ClientLineReader(InputStream in) {
        this.in = in;
    }

    /** Returns the next line, or {@link ClientLine#EOF} when the client has closed. */
    ClientLine read() throws IOException {
        int len = 0;
        int discarded = 0;
        boolean tooLong = false;
        while (true) {
            int b = next();
            if (b < 0) {
                return ClientLine.EOF;
            }
            if (b == '\n') {
                if (tooLong) {
                    return ClientLine.TOO_LONG;
                }
                if (len > 0 && line[len - 1] == '\r') {
                    len--;
                }
                if (len > MAX_CONTENT) {
                    return ClientLine.TOO_LONG;
                }
                return containsControl(len)
                        ? ClientLine.BAD_BYTES
                        : ClientLine.of(new String(line, 0, len, StandardCharsets.ISO_8859_1));
            }
            if (tooLong) {
                if (++discarded > MAX_DISCARD) {
                    return ClientLine.FLOOD;
                }
            } else if (len == line.length) {
                tooLong = true;
            } else {
                line[len++] = (byte) b;
            }
        }
    }

    /**
     * Returns whether bytes past the last line returned are already here: buffered, or waiting
     * in the stream. Before a TLS handshake that must be false, or the client is injecting.
     */
    boolean hasUnread() {
        if (chunkPos < chunkEnd) {
            return true;
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Returns whether the line held a control byte; a CR is one too, unless it ended the line. */
    private boolean containsControl(int len) {
        for (int i = 0; i < len; i++) {
            int c = line[i] & 0xff;
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private int next() throws IOException {
        if (chunkPos == chunkEnd) {
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                return -1;
            }
            chunkPos = 0;
            chunkEnd = n;
        }
        return chunk[chunkPos++] & 0xff;
    }
}
