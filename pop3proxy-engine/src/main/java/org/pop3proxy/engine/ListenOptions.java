package org.pop3proxy.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * How a listener (or one already-accepted connection) is entered before the POP3 greeting:
 * optionally a PROXY protocol header from a load balancer, then optionally implicit TLS
 * (the {@code pop3s} port 995 style, with {@link ProxyConfig#clientTls()}'s certificate).
 * Immutable; the {@code with} methods return changed copies.
 */
public final class ListenOptions {
    /** Plain POP3 from the first byte, no PROXY header: the manual's behaviour. */
    public static final ListenOptions PLAIN = new ListenOptions(false, Optional.empty());

    private final boolean implicitTls;
    private final Optional<ProxyProtocol> proxyProtocol;

    private ListenOptions(boolean implicitTls, Optional<ProxyProtocol> proxyProtocol) {
        this.implicitTls = implicitTls;
        this.proxyProtocol = proxyProtocol;
    }

    /** Returns a copy that starts TLS on each connection before the greeting. */
    public ListenOptions withImplicitTls(boolean implicitTls) {
        return new ListenOptions(implicitTls, proxyProtocol);
    }

    /** Returns a copy that reads a PROXY header first, from the sources {@code proxyProtocol} allows. */
    public ListenOptions withProxyProtocol(ProxyProtocol proxyProtocol) {
        return new ListenOptions(implicitTls, Optional.of(Objects.requireNonNull(proxyProtocol, "proxyProtocol")));
    }

    public boolean implicitTls() {
        return implicitTls;
    }

    public Optional<ProxyProtocol> proxyProtocol() {
        return proxyProtocol;
    }

    @Override
    public String toString() {
        return (implicitTls ? "implicit TLS" : "plain") + proxyProtocol.map(p -> ", " + p).orElse("");
    }
}
