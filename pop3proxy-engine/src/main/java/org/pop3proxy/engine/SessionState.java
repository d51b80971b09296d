package org.pop3proxy.engine;

import java.util.EnumSet;
import java.util.Set;

/** The POP3 states a proxy session passes through, and the verbs each accepts. */
enum SessionState {
    /** Before the login: handled by the proxy alone, nothing goes upstream. */
    AUTHORIZATION(EnumSet.of(Verb.USER, Verb.PASS, Verb.QUIT)),
    /** After the login: the manual's twelve commands are relayed. */
    TRANSACTION(EnumSet.allOf(Verb.class));

    private final Set<Verb> accepted;

    SessionState(Set<Verb> accepted) {
        this.accepted = accepted;
    }

    boolean accepts(Verb verb) {
        return accepted.contains(verb);
    }
}
