package org.pop3proxy.engine;

import java.util.List;
import java.util.Objects;

/**
 * A checked client command: its verb and arguments. {@link #wire()} is the canonical form sent
 * upstream, so odd spacing or case never reaches the server.
 */
record Command(Verb verb, List<String> arguments) {
    Command {
        Objects.requireNonNull(verb, "verb");
        arguments = List.copyOf(arguments);
    }

    /** Returns the line to send upstream, without CRLF. */
    String wire() {
        return arguments.isEmpty() ? verb.name() : verb.name() + " " + String.join(" ", arguments);
    }

    /** Returns the line for logs and traces: a password is masked. */
    String masked() {
        return verb == Verb.PASS ? "PASS ****" : wire();
    }

    /** Returns the single text argument of USER or PASS. */
    String text() {
        return arguments.get(0);
    }
}
