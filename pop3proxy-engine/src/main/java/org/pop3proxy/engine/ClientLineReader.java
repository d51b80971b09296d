package org.pop3proxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads client command lines: CRLF or a bare LF ends a line; a line longer than RFC 2449's
 * limit or holding a control byte is discarded and reported, without buffering more than the
 * limit. A client that sends more than {@link #MAX_DISCARD} octets without a line end is a flood.
 *
 * <p>An idle session waits with only a {@link #OWN}-byte array of its own, which holds nearly
 * every command in one read; a line that does not fit, pipelined commands beyond it and the
 * discarding of an overlong line borrow a {@link BufferPool#SMALL} buffer until they are done.
 */
final class ClientLineReader {
    /** RFC 2449 §4: command lines are at most 255 octets, CRLF included. */
    static final int MAX_CONTENT = 255 - 2;
    /** How much of one overlong line is read and thrown away before the client is dropped. */
    static final int MAX_DISCARD = 64 * 1024;
    /** The octets of a line kept before it is too long (CR included, LF not). */
    static final int MAX_LINE = MAX_CONTENT + 2;
    /** The session's own read buffer: USER, PASS, RETR and the like fit in one read. */
    static final int OWN = 64;

    private final InputStream in;
    private final byte[] own = new byte[OWN];
    /** {@link #own} or a borrowed buffer; {@code buf[pos..end)} is read and not yet returned. */
    private byte[] buf = own;
    private int pos;
    private int end;

    ClientLineReader(InputStream in) {
        this.in = in;
    }

    /** Returns the next line, or {@link ClientLine#EOF} when the client has closed. */
    ClientLine read() throws IOException {
        int start = pos;
        int discarded = 0;
        boolean tooLong = false;
        while (true) {
            int i = pos;
            while (i < end && buf[i] != '\n') {
                i++;
            }
            if (tooLong) {
                discarded += i - pos;
            } else if (i - start > MAX_LINE) {
                // The octet after the first MAX_LINE makes the line too long; the rest is discarded.
                tooLong = true;
                discarded = i - start - MAX_LINE - 1;
            }
            pos = i;
            if (tooLong && discarded > MAX_DISCARD) {
                drop();
                return ClientLine.FLOOD;
            }
            if (i < end) {
                pos = i + 1;
                ClientLine line = tooLong ? ClientLine.TOO_LONG : line(start, i - start);
                settle();
                return line;
            }
            start = makeRoom(tooLong ? end : start, tooLong);
            // Read here rather than in a helper: an idle session parks in this call, and every
            // frame below it stays in the parked virtual thread's stack chunk.
            int n;
            try {
                n = in.read(buf, end, buf.length - end);
            } catch (IOException | RuntimeException e) {
                // A failed read drops the partial line, as EOF does.
                drop();
                throw e;
            }
            if (n <= 0) {
                drop();
                return ClientLine.EOF;
            }
            end += n;
        }
    }

    /** Returns the line held at {@code buf[start..start+len)}, its CR (if any) not yet removed. */
    private ClientLine line(int start, int len) {
        if (len > 0 && buf[start + len - 1] == '\r') {
            len--;
        }
        if (len > MAX_CONTENT) {
            return ClientLine.TOO_LONG;
        }
        for (int i = start; i < start + len; i++) {
            int c = buf[i] & 0xff;
            // A CR is a control byte too, unless it ended the line.
            if (c < 0x20 || c == 0x7f) {
                return ClientLine.BAD_BYTES;
            }
        }
        return ClientLine.of(new String(buf, start, len, StandardCharsets.ISO_8859_1));
    }

    /**
     * Moves the part of the current line read so far, {@code buf[keepFrom..end)}, to the front
     * of a buffer with room to read more; returns where the line now starts. Between lines the
     * own buffer is enough; a line split across reads, or an overlong one being discarded,
     * borrows a buffer until it ends.
     */
    private int makeRoom(int keepFrom, boolean discarding) {
        int keep = end - keepFrom;
        if (buf == own && (keep > 0 || discarding)) {
            byte[] borrowed = BufferPool.SMALL.lend();
            System.arraycopy(own, keepFrom, borrowed, 0, keep);
            buf = borrowed;
        } else if (keepFrom > 0) {
            System.arraycopy(buf, keepFrom, buf, 0, keep);
        }
        pos = keep;
        end = keep;
        return 0;
    }

    /** After a line: gives a borrowed buffer back once what is left of it fits the own buffer. */
    private void settle() {
        if (buf == own) {
            return;
        }
        int left = end - pos;
        if (left > own.length) {
            return;
        }
        System.arraycopy(buf, pos, own, 0, left);
        BufferPool.SMALL.takeBack(buf);
        buf = own;
        pos = 0;
        end = left;
    }

    /** Forgets everything buffered and gives a borrowed buffer back. */
    private void drop() {
        if (buf != own) {
            BufferPool.SMALL.takeBack(buf);
            buf = own;
        }
        pos = 0;
        end = 0;
    }

    /** Returns whether a borrowed buffer is held now (for tests). */
    boolean borrowing() {
        return buf != own;
    }

    /**
     * Returns whether bytes past the last line returned are already here: buffered, or waiting
     * in the stream. Before a TLS handshake that must be false, or the client is injecting.
     */
    boolean hasUnread() {
        if (pos < end) {
            return true;
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }
}
