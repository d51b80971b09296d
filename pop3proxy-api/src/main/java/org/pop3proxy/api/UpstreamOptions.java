package org.pop3proxy.api;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Transport} connects upstream.
 *
 * @param sourceAddress  the local address to bind (the manual's {@code -q}), if any
 * @param connectTimeout bounds the connection attempt
 * @param readTimeout    bounds every read on the connection (the manual's {@code -t})
 */
public record UpstreamOptions(Optional<InetAddress> sourceAddress, Duration connectTimeout,
                              Duration readTimeout) {
    public UpstreamOptions {
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
    }
}
