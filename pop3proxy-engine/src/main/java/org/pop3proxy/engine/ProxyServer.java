package org.pop3proxy.engine;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening proxy (the manual's daemon mode): accepts clients and serves each in its own
 * thread, virtual where the JVM has them. Closing it stops accepting and cuts the open sessions,
 * which then end without a QUIT upstream.
 */
public final class ProxyServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final Pop3Proxy proxy;
    private final ServerSocket socket;
    private final ListenOptions options;
    private final ExecutorService sessions;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ClientSessions perClient;
    private volatile boolean started;

    ProxyServer(Pop3Proxy proxy, ServerSocket socket, ListenOptions options) {
        this.proxy = proxy;
        this.socket = socket;
        this.options = options;
        this.sessions = SessionThreads.newExecutor(proxy.config().maxSessions());
        this.perClient = new ClientSessions(proxy.config().maxSessionsPerClient());
    }

    /** Returns the bound address; its port is the real one when port 0 was asked for. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Returns how accepted connections are entered (PROXY header, implicit TLS). */
    public ListenOptions options() {
        return options;
    }

    /** Returns the bound port. */
    public int port() {
        return socket.getLocalPort();
    }

    /** Starts accepting clients in a background thread. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        Thread acceptor = new Thread(this::acceptLoop, "pop3proxy-accept-" + port());
        acceptor.setDaemon(false);
        acceptor.start();
    }

    private void acceptLoop() {
        try {
            InetSocketAddress bound = localAddress();
            Optional<InetSocketAddress> acceptedOn = bound.getAddress().isAnyLocalAddress()
                    ? Optional.empty() : Optional.of(bound);
            while (!socket.isClosed()) {
                Socket client;
                try {
                    client = socket.accept();
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        break;
                    }
                    // Out of descriptors, say: pause rather than spin on the failing accept.
                    LOG.warn("accept failed: {}", e.toString());
                    pauseAfterFailedAccept();
                    continue;
                }
                InetAddress from = client.getInetAddress();
                if (open.size() >= proxy.config().maxSessions()) {
                    LOG.warn("session limit of {} reached, refusing {}", proxy.config().maxSessions(),
                            from.getHostAddress());
                    SessionThreads.refuse(client);
                    continue;
                }
                if (!enter(from)) {
                    LOG.warn("limit of {} sessions per client reached, refusing {}",
                            proxy.config().maxSessionsPerClient(), from.getHostAddress());
                    SessionThreads.refuse(client);
                    continue;
                }
                open.add(client);
                try {
                    sessions.execute(() -> {
                        try {
                            proxy.serve(client, options, perClient, acceptedOn);
                        } finally {
                            open.remove(client);
                            leave(from);
                        }
                    });
                } catch (RuntimeException e) {
                    open.remove(client);
                    leave(from);
                    LOG.warn("no thread for a new session, closing it: {}", e.toString());
                    SessionThreads.refuse(client);
                }
            }
        } finally {
            sessions.shutdown();
            closeAll();
            stopped.countDown();
        }
    }

    private static void pauseAfterFailedAccept() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Counts a session for the peer {@code client}; returns false, counting nothing, when it has
     * too many. Behind the PROXY protocol the peer is the load balancer, and counting it would cap
     * all clients together: {@link Pop3Proxy} counts the real client once the header names it.
     */
    private boolean enter(InetAddress client) {
        return options.proxyProtocol().isPresent() || perClient.enter(client);
    }

    private void leave(InetAddress client) {
        if (options.proxyProtocol().isEmpty()) {
            perClient.leave(client);
        }
    }

    /** Cuts every open session: blocked reads fail at once, whatever kind of thread runs them. */
    private void closeAll() {
        for (Socket client : open) {
            try {
                client.close();
            } catch (IOException ignored) {
                // Closing is all we wanted.
            }
        }
    }

    /** Returns how many sessions are open now. */
    public int openSessions() {
        return open.size();
    }

    /** Waits until the server has been closed and has stopped accepting. */
    public void awaitClose() throws InterruptedException {
        stopped.await();
    }

    /** Stops accepting, cuts open sessions and waits up to {@code timeout} for them to end. */
    public boolean close(long timeout, TimeUnit unit) throws IOException, InterruptedException {
        socket.close();
        if (started) {
            stopped.await();
        } else {
            sessions.shutdown();
        }
        return sessions.awaitTermination(timeout, unit);
    }

    @Override
    public void close() throws IOException {
        try {
            close(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
