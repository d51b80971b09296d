package org.pop3proxy.engine;

import java.util.Objects;

/**
 * One line from the client, or why there is none. Text is ISO-8859-1 decoded, so every byte maps
 * to one char and encodes back unchanged.
 */
record ClientLine(Kind kind, String text) {
    enum Kind {
        /** A well-formed line; {@code text} holds it without its line end. */
        LINE,
        /** The line was longer than the limit; it was discarded. */
        TOO_LONG,
        /** The line held a control byte (CR, NUL, ...) before its end; it was discarded. */
        BAD_BYTES,
        /** The client sent more than a line's worth of bytes without a line end, many times over. */
        FLOOD,
        /** The client closed the connection. */
        EOF
    }

    static final ClientLine TOO_LONG = new ClientLine(Kind.TOO_LONG, "");
    static final ClientLine BAD_BYTES = new ClientLine(Kind.BAD_BYTES, "");
    static final ClientLine FLOOD = new ClientLine(Kind.FLOOD, "");
    static final ClientLine EOF = new ClientLine(Kind.EOF, "");

    ClientLine {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    static ClientLine of(String text) {
        return new ClientLine(Kind.LINE, text);
    }
}
