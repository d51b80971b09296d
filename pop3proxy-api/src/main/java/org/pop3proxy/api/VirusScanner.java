package org.pop3proxy.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Scans messages before the client gets them (the manual's {@code -z}). Implementations must be
 * safe for concurrent use and must not throw from {@link #scan}: failures are
 * {@link ScanResult#failed failed} results.
 */
public interface VirusScanner {

    /** Scans nothing: with this scanner the engine relays messages without spooling them. */
    VirusScanner NONE = new VirusScanner() {
        @Override
        public ScanResult scan(Path message) {
            return ScanResult.clean();
        }

        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public String toString() {
            return "VirusScanner.NONE";
        }
    };

    /** Scans the spooled message in {@code message} (the raw, un-dot-stuffed RFC 5322 bytes). */
    ScanResult scan(Path message);

    /**
     * Checks that the scanner answers; called when a session starts, before the greeting.
     *
     * @throws IOException if it does not, and the session must be refused
     */
    default void probe() throws IOException {}

    /** Returns a short description of the scanner for the {@code X-Proxy-Scanned:} header. */
    default String description() {
        return toString();
    }

    /** Returns whether messages are to be spooled and scanned at all. */
    default boolean enabled() {
        return true;
    }
}
