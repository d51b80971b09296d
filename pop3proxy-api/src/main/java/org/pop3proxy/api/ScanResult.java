package org.pop3proxy.api;

import java.util.Objects;

/** What a {@link VirusScanner} found in one message. */
public sealed interface ScanResult {

    /** The scanner answered that the message is clean. */
    static ScanResult clean() {
        return Clean.INSTANCE;
    }

    /** The scanner found {@code name}. */
    static ScanResult infected(String name) {
        return new Infected(name);
    }

    /** The scan did not complete or its answer could not be trusted; the message is not delivered. */
    static ScanResult failed(String reason) {
        return new Failed(reason);
    }

    /** Clean. */
    final class Clean implements ScanResult {
        static final Clean INSTANCE = new Clean();

        private Clean() {}

        @Override
        public String toString() {
            return "Clean";
        }
    }

    /** Infected, with the scanner's name for what it found. */
    record Infected(String name) implements ScanResult {
        public Infected {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Failed, with a reason for the log. */
    record Failed(String reason) implements ScanResult {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
