package org.pop3proxy.cli;

/**
 * Reports that the command line is fine but the proxy cannot start as it says: a certificate or
 * key that cannot be read, a user that does not exist. The exit code is 1.
 */
final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    StartupException(String message) {
        super(message);
    }
}
