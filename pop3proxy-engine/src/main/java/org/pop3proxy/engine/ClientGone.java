package org.pop3proxy.engine;

/** Writing to the client failed; it is gone and the session ends without a QUIT upstream. */
final class ClientGone extends Exception {
    private static final long serialVersionUID = 1L;

    ClientGone(String reason) {
        super(reason, null, false, false);
    }
}
