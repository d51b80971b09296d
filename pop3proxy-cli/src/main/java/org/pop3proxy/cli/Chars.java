package org.pop3proxy.cli;

/**
 * Character checks of the command line's values, written as loops: an inetd start reads its
 * command line before its greeting, and a regular expression or a stream there would bring up
 * {@code java.util.regex} and the first lambda (several milliseconds of a start) first.
 */
final class Chars {
    private Chars() {}

    /** Returns whether {@code text} is 1 to {@code maxLength} ASCII digits. */
    static boolean digits(String text, int maxLength) {
        return digitsIn(text, 0, text.length(), maxLength);
    }

    /** Returns whether {@code text[from, to)} is 1 to {@code maxLength} ASCII digits. */
    static boolean digitsIn(String text, int from, int to, int maxLength) {
        if (to <= from || to - from > maxLength) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns whether {@code text} is four groups of 1 to 3 digits joined by dots; the caller
     * checks that each is at most 255.
     */
    static boolean dottedQuad(String text) {
        int from = 0;
        for (int group = 0; group < 4; group++) {
            int dot = group < 3 ? text.indexOf('.', from) : text.length();
            if (dot < 0 || !digitsIn(text, from, dot, 3)) {
                return false;
            }
            from = dot + 1;
        }
        return true;
    }

    /** Returns whether every character of {@code text} is an ASCII letter, digit or {@code _}. */
    static boolean word(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isDigit(c) && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** Returns whether every character of {@code text} is a hex digit, a colon or a dot. */
    static boolean ipv6Text(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hex = isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code text} is printable ASCII with no space, slash, bracket or at sign. */
    static boolean hostText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == '[' || c == ']' || c == '@') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
