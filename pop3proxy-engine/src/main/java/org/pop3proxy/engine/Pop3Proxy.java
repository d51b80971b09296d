package org.pop3proxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import org.pop3proxy.api.ClientInfo;

/**
 * A POP3 proxy: serves clients one session each, as {@link ProxyConfig} says. Immutable and
 * safe for concurrent use; one instance serves any number of sessions at once.
 */
public final class Pop3Proxy {
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
        Objects.requireNonNull(client, "client");
        try (client) {
            ClientInfo info = new ClientInfo((InetSocketAddress) client.getLocalSocketAddress(),
                    (InetSocketAddress) client.getRemoteSocketAddress());
            client.setSoTimeout(Math.toIntExact(config.timeout().toMillis()));
            client.setTcpNoDelay(true);
            return new Session(config, info, client.getInputStream(), client.getOutputStream(), client)
                    .run();
        } catch (IOException e) {
            return SessionOutcome.FAILED;
        }
    }

    /**
     * Serves one session on a pair of streams that are not a socket (a pipe, stdin/stdout of a
     * superserver that is not a socket). Reads are not bounded by the timeout here: the caller
     * owns the streams. Returns when the session ends; the streams are left open.
     */
    public SessionOutcome serve(InputStream in, OutputStream out, ClientInfo client) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(client, "client");
        return new Session(config, client, in, out, null).run();
    }

    /**
     * Binds a listening socket at {@code address} (port 0 picks a free one) without accepting
     * yet, so that a launcher can drop privileges between binding and serving.
     */
    public ProxyServer bind(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(address, 1024);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new ProxyServer(this, socket);
    }

    /** Binds {@code address} and starts serving at once. */
    public ProxyServer listen(InetSocketAddress address) throws IOException {
        ProxyServer server = bind(address);
        server.start();
        return server;
    }
}
