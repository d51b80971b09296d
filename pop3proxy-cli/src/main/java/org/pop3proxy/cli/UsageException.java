package org.pop3proxy.cli;

/**
 * Reports a command line that cannot be run, with the exit code the manual gives it: 255 for a
 * usage error, 1 for a missing server.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The exit code of a usage error. */
    static final int USAGE = 255;
    /** The exit code when no server is given. */
    static final int NO_SERVER = 1;

    private final int exitCode;

    UsageException(String message) {
        this(message, USAGE);
    }

    UsageException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
