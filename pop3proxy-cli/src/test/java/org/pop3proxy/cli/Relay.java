package org.pop3proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP listener that counts and records every connection: with a target it relays the bytes
 * both ways (a counter in front of a real server), without one it closes each connection at once
 * (the "evil" server that must never be reached).
 */
final class Relay implements AutoCloseable {
    private final ServerSocket listener;
    private final OptionalInt target;
    private final List<InetAddress> peers = new CopyOnWriteArrayList<>();

    Relay(InetAddress bind, OptionalInt target) throws IOException {
        this.listener = new ServerSocket(0, 50, bind);
        this.target = target;
        Thread accept = new Thread(this::accept, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A counting relay on 127.0.0.1 to {@code port} on 127.0.0.1. */
    static Relay to(int port) throws IOException {
        return new Relay(InetAddress.getLoopbackAddress(), OptionalInt.of(port));
    }

    /** A counter on every address (so that any loopback spelling reaches it) that serves nothing. */
    static Relay sink() throws IOException {
        return new Relay(InetAddress.getByAddress(new byte[4]), OptionalInt.empty());
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Returns how many connections arrived so far. */
    int connections() {
        return peers.size();
    }

    /** Returns the source address of each connection so far. */
    List<InetAddress> peers() {
        return List.copyOf(peers);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                peers.add(client.getInetAddress());
                if (target.isEmpty()) {
                    client.close();
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target.getAsInt());
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                // Closed, or the target is gone: the test sees it in its own assertions.
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // One side closed.
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // Already closed.
                }
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
