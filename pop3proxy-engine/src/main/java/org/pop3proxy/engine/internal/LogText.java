package org.pop3proxy.engine.internal;

/**
 * Makes untrusted text (a client's, a server's, clamd's, a program's) safe for where it goes:
 * a log line, an {@code -ERR} line to the client, a mail header, a field of a record file. Every
 * variant keeps printable ASCII only and bounds the length where the target needs it.
 *
 * <p>Not API: public only so that the engine and its default implementations share it; the
 * module does not export this package.
 */
public final class LogText {
    /** The longest text {@link #escape} keeps, before its {@code ...}. */
    public static final int MAX = 200;
    /** The longest text {@link #printable} keeps: {@code -ERR}, text and CRLF fill 512 octets at most. */
    public static final int MAX_PRINTABLE = 512 - "-ERR \r\n".length();
    /** The longest text {@link #headerText} keeps, before its {@code [...]}. */
    public static final int MAX_HEADER = 200;

    private LogText() {}

    /**
     * Returns {@code s} for a log line: every character outside printable ASCII, the backslash
     * and {@code $ { } %} written as {@code \xNN}, cut at {@link #MAX} characters and then marked
     * {@code ...}. The result holds no line end, no terminal escape sequence and nothing a
     * logging backend could act on ({@code ${}} lookups, {@code %} patterns).
     */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '$' && c != '{' && c != '}' && c != '%') {
                b.append(c);
            } else {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            }
        }
        if (b.length() >= MAX) {
            b.append("...");
        }
        return b.toString();
    }

    /**
     * Returns {@code s} with every character outside printable ASCII dropped, cut at
     * {@link #MAX_PRINTABLE}: for text that goes to the client on an {@code -ERR} line (an access
     * program's or a server's message), where an escape would only confuse the reader.
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_PRINTABLE));
        for (int i = 0; i < s.length() && b.length() < MAX_PRINTABLE; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Returns {@code s} for one line of a mail header: tabs as spaces, every other character
     * outside printable ASCII dropped, no trailing blanks, cut at {@link #MAX_HEADER} characters
     * and then marked {@code [...]}.
     */
    public static String headerText(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_HEADER));
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t') {
                b.append(' ');
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            }
        }
        String t = b.toString().stripTrailing();
        return t.length() > MAX_HEADER ? t.substring(0, MAX_HEADER) + " [...]" : t;
    }

    /**
     * Returns {@code s} as one field of a space-separated record line: spaces and every
     * character outside printable ASCII as {@code ?}, so the field can neither split nor end
     * the line. Not bounded: the caller's input is.
     */
    public static String word(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
