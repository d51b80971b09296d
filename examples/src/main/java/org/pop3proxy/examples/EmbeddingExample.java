package org.pop3proxy.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

/**
 * Shows how a gateway embeds pop3proxy with its own policies: logins are routed by a
 * {@link RoutingTableSelector} and clients are admitted by a {@link NetworkAccessController}.
 *
 * <p>Usage: {@code EmbeddingExample ROUTING-TABLE CIDR[,CIDR...] [HOST:PORT]}, listening on
 * {@code 127.0.0.1:1110} by default, for example
 * {@code EmbeddingExample routes.txt 127.0.0.0/8,::1/128 127.0.0.1:1110}.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {}

    /** Runs the example until the JVM is stopped. */
    public static void main(String[] args) throws IOException, InterruptedException {
        ProxyServer server;
        try {
            server = start(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("EmbeddingExample: " + e.getMessage());
            System.err.println("usage: EmbeddingExample ROUTING-TABLE CIDR[,CIDR...] [HOST:PORT]");
            System.exit(255);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException ignored) {
                // Stopping anyway.
            }
        }, "example-shutdown"));
        server.awaitClose();
    }

    /**
     * Returns the configuration of a proxy that routes by the table in {@code routingTable} and
     * admits clients from {@code allowedNetworks} only.
     */
    public static ProxyConfig config(Path routingTable, List<String> allowedNetworks) throws IOException {
        return ProxyConfig.builder(RoutingTableSelector.load(routingTable))
                .accessController(NetworkAccessController.allowing(allowedNetworks))
                .timeout(Duration.ofSeconds(120))
                .build();
    }

    /** Starts the proxy the command line {@code args} describe and says where it listens on {@code out}. */
    public static ProxyServer start(String[] args, PrintStream out) throws IOException {
        if (args.length < 2 || args.length > 3) {
            throw new IllegalArgumentException("expected 2 or 3 arguments, got " + args.length);
        }
        ProxyConfig config = config(Path.of(args[0]), Arrays.asList(args[1].split(",")));
        InetSocketAddress address = new InetSocketAddress(Demo.HOST, Demo.DEFAULT_PORT);
        if (args.length == 3) {
            int colon = args[2].lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected HOST:PORT, got " + args[2]);
            }
            String host = args[2].substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(args[2].substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a port number in " + args[2], e);
            }
            address = new InetSocketAddress(host, port);
        }
        ProxyServer server = Pop3Proxy.create(config).listen(address);
        out.println("pop3proxy routing by " + config.selector() + ", admitting " + config.accessController()
                + ", listening on " + server.localAddress().getAddress().getHostAddress() + ":" + server.port());
        return server;
    }
}
