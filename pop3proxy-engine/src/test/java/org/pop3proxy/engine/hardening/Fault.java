package org.pop3proxy.engine.hardening;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.core.throttle.Throttler;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * A NetCrusher TCP proxy on a link (client to proxy, or proxy to server) that can inject one of
 * the network faults below into every connection on it.
 */
final class Fault implements AutoCloseable {
    /** What goes wrong on the link. */
    enum Kind {
        /** Both ends get an orderly close (FIN), as when a middlebox drops the connection. */
        DROP,
        /** Both ends get a reset (RST, linger 0), as when a host or NAT forgets the connection. */
        RESET,
        /** Nothing moves any more, in either direction, and nobody is told. */
        FREEZE,
        /** Bytes still flow, but each chunk in either direction is held back for a second. */
        DRIP
    }

    static final long DRIP_DELAY_MS = 1000;

    private final TcpCrusher crusher;
    private final Kind kind;
    private volatile boolean dripping;

    Fault(NioReactor reactor, Kind kind, int targetPort) {
        this.kind = kind;
        Throttler drip = buffer -> dripping ? TimeUnit.MILLISECONDS.toNanos(DRIP_DELAY_MS) : Throttler.NO_DELAY_NS;
        TcpCrusherBuilder b = TcpCrusherBuilder.builder()
                .withReactor(reactor)
                .withConnectAddress("127.0.0.1", targetPort)
                .withTcpNoDelay(true)
                .withIncomingThrottlerFactory(address -> drip)
                .withOutgoingThrottlerFactory(address -> drip);
        if (kind == Kind.RESET) {
            b.withLingerMs(0);
        }
        crusher = open(b);
    }

    /**
     * Opens the crusher on a free loopback port. NetCrusher does not report the port it got for
     * port 0, so a free one is probed first; a lost race with another bind is retried.
     */
    private static TcpCrusher open(TcpCrusherBuilder b) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                return b.withBindAddress(new InetSocketAddress("127.0.0.1", port)).buildAndOpen();
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Returns the port to connect to instead of the target's. */
    int port() {
        return crusher.getBindAddress().getPort();
    }

    /**
     * Injects the fault into every open connection on the link. The far end may see a connection
     * before NetCrusher has registered it as a pair (its reactor does that after connecting), and
     * a fault injected then would miss it: first wait, bounded, until the link holds one.
     */
    void inject() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (crusher.getClientAddresses().isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        switch (kind) {
            case DROP:
            case RESET:
                crusher.closeAllPairs();
                break;
            case FREEZE:
                crusher.freeze();
                break;
            default:
                dripping = true;
                break;
        }
    }

    /** Lets the link work again, so that the ends can see each other's close. */
    void heal() {
        dripping = false;
        if (crusher.isOpen() && crusher.isFrozen()) {
            crusher.unfreeze();
        }
    }

    /** Closes every connection on the link and the link itself; may be called again. */
    @Override
    public void close() {
        if (crusher.isOpen()) {
            heal();
            crusher.close();
        }
    }
}
