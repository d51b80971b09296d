package org.pop3proxy.engine;

/** Makes untrusted text safe for a log line: printable ASCII only, bounded in length. */
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
}
