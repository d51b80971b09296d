package org.pop3proxy.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * How a listener (or one already-accepted connection) is entered before the POP3 greeting:
 * optionally a PROXY protocol header from a load balancer, then optionally implicit TLS
 * (the {@code pop3s} port 995 style, with {@link ProxyConfig#clientTls()}'s certificate); or,
 * for one plain connection, with the greeting already sent by the caller.
 * Immutable; the {@code with} methods return changed copies.
 */
public final class ListenOptions {
    /** Plain POP3 from the first byte, no PROXY header: the manual's behaviour. */
    public static final ListenOptions PLAIN = new ListenOptions(false, Optional.empty(), false);

    private final boolean implicitTls;
    private final Optional<ProxyProtocol> proxyProtocol;
    private final boolean greetingSent;

    private ListenOptions(boolean implicitTls, Optional<ProxyProtocol> proxyProtocol, boolean greetingSent) {
        this.implicitTls = implicitTls;
        this.proxyProtocol = proxyProtocol;
        this.greetingSent = greetingSent;
    }

    /** Returns a copy that starts TLS on each connection before the greeting. */
    public ListenOptions withImplicitTls(boolean implicitTls) {
        return new ListenOptions(implicitTls, proxyProtocol, greetingSent);
    }

    /** Returns a copy that reads a PROXY header first, from the sources {@code proxyProtocol} allows. */
    public ListenOptions withProxyProtocol(ProxyProtocol proxyProtocol) {
        return new ListenOptions(implicitTls, Optional.of(Objects.requireNonNull(proxyProtocol, "proxyProtocol")),
                greetingSent);
    }

    /**
     * Returns a copy for one connection on which the caller has already written
     * {@link ProxyConfig#DEFAULT_GREETING} (with CRLF): the session starts by reading the first
     * command. An inetd launcher greets this way before it has read its configuration, as the
     * original program answers at once. Only for a plain connection served with
     * {@link Pop3Proxy#serve(java.net.Socket, ListenOptions)} or on streams, and only when the
     * proxy's greeting is the default one; with a virus scanner that then turns out unavailable,
     * the session answers {@code -ERR} instead of refusing the greeting.
     */
    public ListenOptions withGreetingSent(boolean greetingSent) {
        return new ListenOptions(implicitTls, proxyProtocol, greetingSent);
    }

    public boolean implicitTls() {
        return implicitTls;
    }

    public Optional<ProxyProtocol> proxyProtocol() {
        return proxyProtocol;
    }

    public boolean greetingSent() {
        return greetingSent;
    }

    @Override
    public String toString() {
        return (implicitTls ? "implicit TLS" : "plain") + proxyProtocol.map(p -> ", " + p).orElse("")
                + (greetingSent ? ", greeting sent" : "");
    }
}
