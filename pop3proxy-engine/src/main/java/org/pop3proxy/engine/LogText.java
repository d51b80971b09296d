package org.pop3proxy.engine;

/** Makes untrusted text safe for a log line or an {@code -ERR} line: printable ASCII only, bounded. */
final class LogText {
    static final int MAX = 200;

    private LogText() {}

    /**
     * Returns {@code s} with every byte outside printable ASCII, and the backslash, written as
     * {@code \xNN}, cut at {@link #MAX} characters. The result holds no line end, no escape
     * sequence and no {@code ${}} that a logging backend could act on.
     */
    static String escape(String s) {
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
     * Returns {@code text} with every character outside printable ASCII dropped, cut at 400: for
     * text that goes to the client on an {@code -ERR} line (an ACP's or a server's message).
     */
    static String printable(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), 400));
        for (int i = 0; i < text.length() && b.length() < 400; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
