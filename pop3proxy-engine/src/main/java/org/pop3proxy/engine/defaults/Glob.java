package org.pop3proxy.engine.defaults;

/**
 * Matches shell-style patterns where {@code *} stands for any run of characters and {@code ?}
 * for one; every other character, {@code .} and {@code [} included, stands for itself, compared
 * case-insensitively in ASCII. The whole text must match (anchored at both ends).
 *
 * <p>No regular expressions and no recursion: one pass that remembers only the latest
 * {@code *}, so the work is at most {@code text.length() * pattern.length()} steps, never
 * exponential (both lengths are capped at 255 by the callers).
 */
final class Glob {
    private Glob() {}

    /** Returns whether {@code pattern} matches all of {@code text}. */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int starP = -1;
        int starT = -1;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                starP = p++;
                starT = t;
            } else if (p < pattern.length()
                    && (pattern.charAt(p) == '?' || sameIgnoringAsciiCase(pattern.charAt(p), text.charAt(t)))) {
                p++;
                t++;
            } else if (starP >= 0) {
                p = starP + 1;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** Returns whether {@code pattern} holds a wildcard. */
    static boolean hasWildcard(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
    }

    private static boolean sameIgnoringAsciiCase(char a, char b) {
        return lower(a) == lower(b);
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
