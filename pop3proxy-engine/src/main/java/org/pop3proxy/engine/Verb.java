package org.pop3proxy.engine;

import java.util.Locale;
import java.util.Optional;

/** The POP3 commands the manual lets through, with their argument rules. */
enum Verb {
    USER(Args.TEXT),
    PASS(Args.TEXT),
    QUIT(Args.NONE),
    STAT(Args.NONE),
    LIST(Args.OPTIONAL_MESSAGE),
    RETR(Args.MESSAGE),
    UIDL(Args.OPTIONAL_MESSAGE),
    DELE(Args.MESSAGE),
    TOP(Args.MESSAGE_AND_LINES),
    LAST(Args.NONE),
    NOOP(Args.NONE),
    RSET(Args.NONE);

    /** What a verb takes after its keyword. */
    enum Args {
        /** Nothing. */
        NONE,
        /** The rest of the line, not empty (user names, passwords). */
        TEXT,
        /** One message number. */
        MESSAGE,
        /** Nothing or one message number. */
        OPTIONAL_MESSAGE,
        /** A message number and a line count. */
        MESSAGE_AND_LINES
    }

    final Args args;

    Verb(Args args) {
        this.args = args;
    }

    /** Returns whether the server's {@code +OK} to {@code command} is followed by a body. */
    boolean multiLine(Command command) {
        return this == RETR || this == TOP || (args == Args.OPTIONAL_MESSAGE && command.arguments().isEmpty());
    }

    /** Looks a keyword up, ignoring case. */
    static Optional<Verb> of(String keyword) {
        if (keyword.length() < 3 || keyword.length() > 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(keyword.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }
}
