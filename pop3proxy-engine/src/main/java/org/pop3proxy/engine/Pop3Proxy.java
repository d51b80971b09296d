package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.pop3proxy.api.ClientInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A POP3 proxy: serves clients one session each, as {@link ProxyConfig} says. Immutable and
 * safe for concurrent use; one instance serves any number of sessions at once.
 */
public final class Pop3Proxy {
    private static final Logger LOG = LoggerFactory.getLogger("org.pop3proxy.session");

    private final ProxyConfig config;

    private Pop3Proxy(ProxyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Returns a proxy that works as {@code config} says. */
    public static Pop3Proxy create(ProxyConfig config) {
        return new Pop3Proxy(config);
    }

    public ProxyConfig config() {
        return config;
    }

    /**
     * Serves one session on an already-connected socket and closes it; returns when the session
     * ends. This is the inetd mode's and the daemon's way in.
     */
    public SessionOutcome serve(Socket client) {
        return serve(client, ListenOptions.PLAIN);
    }

    /**
     * Serves one session on an already-connected socket entered as {@code options} say: first
     * the PROXY header (only from an allowed peer; any other peer, a malformed header or a
     * timeout closes the connection without a greeting), then the implicit TLS handshake, both
     * in the calling thread and bounded by the timeout. Closes the socket; returns when the
     * session ends.
     */
    public SessionOutcome serve(Socket client, ListenOptions options) {
        return serve(client, options, ClientSessions.UNCOUNTED);
    }

    /**
     * Serves as {@link #serve(Socket, ListenOptions)}; behind the PROXY protocol, also counts the
     * real client the header names in {@code perClient} for the session's length, refusing it
     * (before any TLS handshake) when it has too many sessions already.
     */
    SessionOutcome serve(Socket client, ListenOptions options, ClientSessions perClient) {
        return serve(client, options, perClient, Optional.empty());
    }

    /**
     * Serves as {@link #serve(Socket, ListenOptions, ClientSessions)}; {@code acceptedOn} is the
     * listener's own address when it is bound to one rather than the wildcard. Every connection
     * it accepts has that local address, which then costs no system call to look up.
     */
    SessionOutcome serve(Socket client, ListenOptions options, ClientSessions perClient,
            Optional<InetSocketAddress> acceptedOn) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(options, "options");
        requireTlsFor(options);
        if (options.greetingSent() && (options.implicitTls() || options.proxyProtocol().isPresent())) {
            throw new IllegalArgumentException("a greeting already sent needs a plain connection");
        }
        requireDefaultGreetingIfSent(options);
        InetAddress counted = null;
        try (client) {
            // No lambda here: an inetd start serves its socket through this method too.
            InetSocketAddress local = acceptedOn.isPresent()
                    ? acceptedOn.get() : (InetSocketAddress) client.getLocalSocketAddress();
            ClientInfo info = new ClientInfo(local, (InetSocketAddress) client.getRemoteSocketAddress());
            client.setSoTimeout(Math.toIntExact(config.timeout().toMillis()));
            client.setTcpNoDelay(true);
            MDC.put("client", info.clientAddress());
            if (options.proxyProtocol().isPresent()) {
                if (!options.proxyProtocol().get().allows(client.getInetAddress())) {
                    LOG.warn("refused {}: not allowed to send a PROXY protocol header", info.clientAddress());
                    return SessionOutcome.FAILED;
                }
                ClientInfo peer = info;
                try {
                    info = ProxyHeader.read(client, info, config.timeout());
                } catch (IOException e) {
                    LOG.warn("bad PROXY protocol header from {}, closing: {}", info.clientAddress(), e.getMessage());
                    return SessionOutcome.FAILED;
                }
                MDC.put("client", info.clientAddress());
                // A header that names no client (LOCAL, UNKNOWN) is the balancer's own: not counted.
                if (info != peer) {
                    if (!perClient.enter(info.remote().getAddress())) {
                        LOG.warn("limit of {} sessions per client reached, refusing {}", perClient.limit(),
                                info.clientAddress());
                        SessionThreads.refuse(client);
                        return SessionOutcome.FAILED;
                    }
                    counted = info.remote().getAddress();
                }
            }
            Socket session = client;
            if (options.implicitTls()) {
                try {
                    SSLSocket tls = config.clientTls().orElseThrow().serverSocket(client);
                    // Each handshake read has -t; the whole handshake must end within it too.
                    Watchdog.Deadline handshake = new Watchdog.Deadline(client);
                    handshake.arm(Math.min(config.timeout().toNanos(), config.authorizationTimeout().toNanos()));
                    try {
                        tls.startHandshake();
                    } finally {
                        handshake.disarm();
                    }
                    session = tls;
                } catch (IOException e) {
                    LOG.info("TLS handshake with {} failed: {}", info.clientAddress(), e.getMessage());
                    return SessionOutcome.FAILED;
                }
            }
            if (!options.implicitTls()) {
                // The session bounds its reads of a plain socket itself (SocketReadDeadline).
                client.setSoTimeout(0);
            }
            return new Session(config, info, session.getInputStream(), session.getOutputStream(), session,
                    options.implicitTls(), client, client).greeted(options.greetingSent()).run();
        } catch (IOException e) {
            return SessionOutcome.FAILED;
        } finally {
            if (counted != null) {
                perClient.leave(counted);
            }
            MDC.remove("client");
        }
    }

    private void requireTlsFor(ListenOptions options) {
        if (options.implicitTls() && config.clientTls().isEmpty()) {
            throw new IllegalArgumentException("implicit TLS needs ProxyConfig.clientTls (a certificate)");
        }
    }

    /**
     * Serves one session on a pair of streams that are not a socket (a pipe, stdin/stdout of a
     * superserver that is not a socket). Such streams have no read timeout: when a read waits
     * longer than the timeout, or the AUTHORIZATION phase outlasts its deadline, {@code abort}
     * is closed, and must end the wait (the launcher ends the process). Returns when the session
     * ends; the streams are left open.
     */
    public SessionOutcome serve(InputStream in, OutputStream out, ClientInfo client, Closeable abort) {
        return serve(in, out, client, abort, ListenOptions.PLAIN);
    }

    /**
     * Serves one session on a pair of streams like {@link #serve(InputStream, OutputStream,
     * ClientInfo, Closeable)}; of {@code options} only {@link ListenOptions#greetingSent()} applies,
     * as streams carry neither a PROXY header nor TLS here.
     *
     * @throws IllegalArgumentException if {@code options} asks for implicit TLS or a PROXY header,
     *                                  or says the greeting was sent while it is not the default one
     */
    public SessionOutcome serve(InputStream in, OutputStream out, ClientInfo client, Closeable abort,
                                ListenOptions options) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(abort, "abort");
        Objects.requireNonNull(options, "options");
        if (options.implicitTls() || options.proxyProtocol().isPresent()) {
            throw new IllegalArgumentException("streams are served plain: no implicit TLS, no PROXY header");
        }
        requireDefaultGreetingIfSent(options);
        return new Session(config, client, new ReadDeadline(in, abort, config.timeout().toMillis()), out, null,
                false, null, abort).greeted(options.greetingSent()).run();
    }

    private void requireDefaultGreetingIfSent(ListenOptions options) {
        if (options.greetingSent() && !config.greeting().equals(ProxyConfig.DEFAULT_GREETING)) {
            throw new IllegalArgumentException("a greeting already sent must be the default greeting");
        }
    }

    /**
     * Binds a listening socket at {@code address} (port 0 picks a free one) without accepting
     * yet, so that a launcher can drop privileges between binding and serving.
     */
    public ProxyServer bind(InetSocketAddress address) throws IOException {
        return bind(address, ListenOptions.PLAIN);
    }

    /**
     * Binds like {@link #bind(InetSocketAddress)}; each accepted connection is entered as
     * {@code options} say (see {@link #serve(Socket, ListenOptions)}), in its session's thread.
     */
    public ProxyServer bind(InetSocketAddress address, ListenOptions options) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        requireTlsFor(options);
        if (options.greetingSent()) {
            throw new IllegalArgumentException("a listener cannot have greeted connections it has not accepted");
        }
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(address, 1024);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new ProxyServer(this, socket, options);
    }

    /** Binds {@code address} and starts serving at once. */
    public ProxyServer listen(InetSocketAddress address) throws IOException {
        return listen(address, ListenOptions.PLAIN);
    }

    /** Binds {@code address} with {@code options} and starts serving at once. */
    public ProxyServer listen(InetSocketAddress address, ListenOptions options) throws IOException {
        ProxyServer server = bind(address, options);
        server.start();
        return server;
    }
}
