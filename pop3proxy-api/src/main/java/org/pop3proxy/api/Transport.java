package org.pop3proxy.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;

/**
 * Opens the connection to a POP3 server. Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface Transport {

    /** Plain TCP: resolves the host, binds the source address if one is set, connects. */
    Transport PLAIN = (server, options) -> {
        // NO_PROXY: a POP3 connection never goes through the JVM's SOCKS settings, and looking
        // them up costs time on every connect.
        Socket socket = new Socket(Proxy.NO_PROXY);
        try {
            if (options.sourceAddress().isPresent()) {
                socket.bind(new InetSocketAddress(options.sourceAddress().get(), 0));
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(server.host(), server.port()),
                    Math.toIntExact(options.connectTimeout().toMillis()));
            socket.setSoTimeout(Math.toIntExact(options.readTimeout().toMillis()));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    };

    /** Returns a connected socket to {@code server} whose reads time out as {@code options} say. */
    Socket connect(ServerTarget server, UpstreamOptions options) throws IOException;
}
