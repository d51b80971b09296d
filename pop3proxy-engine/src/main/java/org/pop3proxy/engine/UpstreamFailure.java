package org.pop3proxy.engine;

/** The server broke the protocol, went away or timed out; the session cannot go on. */
final class UpstreamFailure extends Exception {
    private static final long serialVersionUID = 1L;

    UpstreamFailure(String reason) {
        super(reason, null, false, false);
    }
}
