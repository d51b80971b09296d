package org.pop3proxy.engine;

/** How one session ended; the inetd launcher turns it into the process's exit code. */
public enum SessionOutcome {
    /** The client quit, or closed the connection while nothing was pending: exit 0. */
    CLOSED(0),
    /** The session was ended by an error, a refusal or a timeout: exit 1. */
    FAILED(1);

    private final int exitCode;

    SessionOutcome(int exitCode) {
        this.exitCode = exitCode;
    }

    /** Returns the exit code the manual's inetd mode uses for this outcome. */
    public int exitCode() {
        return exitCode;
    }
}
