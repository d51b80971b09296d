package org.pop3proxy.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns a client line into a {@link Command}, or says why it is not one. */
final class CommandParser {
    /** The outcome of parsing one line. */
    sealed interface Parsed {
    }

    /** A command with valid arguments. */
    record Valid(Command command) implements Parsed {
    }

    /** A keyword the proxy does not let through; {@code keyword} is for the log (already bounded). */
    record Unknown(String keyword) implements Parsed {
    }

    /** A known verb with arguments that break its rule. */
    record BadArguments(Verb verb) implements Parsed {
    }

    private static final int MAX_NUMBER_DIGITS = 9;

    private CommandParser() {}

    static Parsed parse(String line) {
        int space = line.indexOf(' ');
        String keyword = space < 0 ? line : line.substring(0, space);
        Optional<Verb> found = Verb.of(keyword);
        if (found.isEmpty()) {
            return new Unknown(keyword.length() > 16 ? keyword.substring(0, 16) + "..." : keyword);
        }
        Verb verb = found.get();
        String rest = space < 0 ? "" : line.substring(space + 1);
        if (verb.args == Verb.Args.TEXT) {
            // User names and passwords are taken whole: a password may hold blanks.
            return rest.isEmpty() ? new BadArguments(verb) : new Valid(new Command(verb, List.of(rest)));
        }
        List<String> words = words(rest);
        boolean ok;
        switch (verb.args) {
            case NONE:
                ok = words.isEmpty();
                break;
            case MESSAGE:
                ok = words.size() == 1 && isNumber(words.get(0), 1);
                break;
            case OPTIONAL_MESSAGE:
                ok = words.isEmpty() || (words.size() == 1 && isNumber(words.get(0), 1));
                break;
            default: // MESSAGE_AND_LINES
                ok = words.size() == 2 && isNumber(words.get(0), 1) && isNumber(words.get(1), 0);
                break;
        }
        return ok ? new Valid(new Command(verb, words)) : new BadArguments(verb);
    }

    /** Splits on runs of blanks; leading and trailing blanks are ignored. */
    private static List<String> words(String s) {
        List<String> words = new ArrayList<>(2);
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && s.charAt(i) != ' ') {
                i++;
            }
            if (i > start) {
                words.add(s.substring(start, i));
            }
        }
        return words;
    }

    /** Returns whether {@code s} is a decimal number of at least {@code min}, of sane length. */
    private static boolean isNumber(String s, int min) {
        if (s.isEmpty() || s.length() > MAX_NUMBER_DIGITS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Integer.parseInt(s) >= min;
    }
}
