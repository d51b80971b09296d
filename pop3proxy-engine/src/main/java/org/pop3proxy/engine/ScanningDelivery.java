package org.pop3proxy.engine;

import java.io.OutputStream;

/**
 * Issue 4's seam: answers a RETR or TOP when a virus scanner is on. The body is spooled, scanned
 * and only then answered, so that a scanner failure gives {@code -ERR}, never a truncated or
 * unscanned message. Until the spool path exists, every such command is refused: fail closed.
 */
final class ScanningDelivery {
    /** What became of one scanned command. */
    enum Outcome {
        /** The client received the message, or the notice that replaced it. */
        DELIVERED,
        /** Nothing was sent to the client; the session answers {@code -ERR} and ends. */
        REFUSED
    }

    private ScanningDelivery() {}

    /**
     * Answers the client for a command whose server status {@code status} was {@code +OK} and
     * whose body is next on {@code upstream}.
     */
    static Outcome deliver(ProxyConfig config, StatusLine status, Upstream upstream, OutputStream client)
            throws UpstreamFailure, ClientGone {
        return Outcome.REFUSED;
    }
}
