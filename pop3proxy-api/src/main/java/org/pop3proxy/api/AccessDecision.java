package org.pop3proxy.api;

import java.util.List;
import java.util.Objects;

/** The answer of an {@link AccessController}: allow, or deny with a reason. */
public sealed interface AccessDecision {

    /** Grants access. */
    static AccessDecision allow() {
        return Allow.INSTANCE;
    }

    /** Denies access; {@code reason} goes to the log, the client gets the proxy's own {@code -ERR}. */
    static AccessDecision deny(String reason) {
        return new Deny(reason, List.of());
    }

    /**
     * Denies access and tells the client why: each of {@code clientLines} is sent as one
     * {@code -ERR} line (the engine adds the {@code -ERR } prefix and drops control bytes).
     */
    static AccessDecision deny(String reason, List<String> clientLines) {
        return new Deny(reason, clientLines);
    }

    /** The grant. */
    final class Allow implements AccessDecision {
        static final Allow INSTANCE = new Allow();

        private Allow() {}

        @Override
        public String toString() {
            return "Allow";
        }
    }

    /**
     * A denial.
     *
     * @param reason      for the log
     * @param clientLines texts of {@code -ERR} lines for the client; empty for the proxy's default
     */
    record Deny(String reason, List<String> clientLines) implements AccessDecision {
        public Deny {
            Objects.requireNonNull(reason, "reason");
            clientLines = List.copyOf(clientLines);
        }
    }
}
