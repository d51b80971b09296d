package org.pop3proxy.engine;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.pop3proxy.api.AccessController;
import org.pop3proxy.api.LoginRecorder;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.Transport;
import org.pop3proxy.api.VirusScanner;

/**
 * Everything a {@link Pop3Proxy} needs to know, immutable and checked when built. Defaults are
 * the manual's: a 600 second timeout, 5 unknown commands, 6 lines to log in, no scanning.
 */
public final class ProxyConfig {
    /** The proxy's greeting unless {@link Builder#greeting} sets another, without CRLF. */
    public static final String DEFAULT_GREETING = "+OK POP3 proxy ready";

    private final ServerSelector selector;
    private final AccessController accessController;
    private final LoginRecorder loginRecorder;
    private final VirusScanner virusScanner;
    private final Transport transport;
    private final Duration timeout;
    private final Duration connectTimeout;
    private final Optional<InetAddress> sourceAddress;
    private final String greeting;
    private final int maxUnknownCommands;
    private final int maxAuthorizationLines;
    private final boolean relayServerErrors;
    private final boolean quiet;
    private final Path spoolDirectory;
    private final long maxScanSize;
    private final Optional<ClientTls> clientTls;
    private final boolean tlsRequired;
    private final boolean capa;
    private final UpstreamTls upstreamTls;
    private final long maxSpoolTotal;
    private final int maxSessions;
    private final int maxSessionsPerClient;
    private final Duration authorizationTimeout;

    private ProxyConfig(Builder b) {
        this.selector = b.selector;
        this.accessController = b.accessController;
        this.loginRecorder = b.loginRecorder;
        this.virusScanner = b.virusScanner;
        this.transport = b.transport;
        this.timeout = b.timeout;
        this.connectTimeout = b.connectTimeout != null ? b.connectTimeout : b.timeout;
        this.sourceAddress = b.sourceAddress;
        this.greeting = b.greeting;
        this.maxUnknownCommands = b.maxUnknownCommands;
        this.maxAuthorizationLines = b.maxAuthorizationLines;
        this.relayServerErrors = b.relayServerErrors;
        this.quiet = b.quiet;
        this.spoolDirectory = b.spoolDirectory;
        this.maxScanSize = b.maxScanSize;
        this.clientTls = b.clientTls;
        this.tlsRequired = b.tlsRequired;
        this.capa = b.capa;
        this.upstreamTls = b.upstreamTls;
        this.maxSpoolTotal = b.maxSpoolTotal;
        this.maxSessions = b.maxSessions;
        this.maxSessionsPerClient = b.maxSessionsPerClient;
        this.authorizationTimeout = b.authorizationTimeout;
    }

    /** Returns a builder that sends every session to {@code selector}'s choice. */
    public static Builder builder(ServerSelector selector) {
        return new Builder(selector);
    }

    /** Returns a builder holding this configuration, for variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public ServerSelector selector() { return selector; }
    public AccessController accessController() { return accessController; }
    public LoginRecorder loginRecorder() { return loginRecorder; }
    public VirusScanner virusScanner() { return virusScanner; }
    public Transport transport() { return transport; }
    /** Bounds every wait on the client, the server, the scanner and the access controller. */
    public Duration timeout() { return timeout; }
    public Duration connectTimeout() { return connectTimeout; }
    public Optional<InetAddress> sourceAddress() { return sourceAddress; }
    /** The proxy's own greeting line, without CRLF. */
    public String greeting() { return greeting; }
    public int maxUnknownCommands() { return maxUnknownCommands; }
    public int maxAuthorizationLines() { return maxAuthorizationLines; }
    /** Whether a server's {@code -ERR} text at login is passed on instead of {@code -ERR bad login}. */
    public boolean relayServerErrors() { return relayServerErrors; }
    /** Whether routine log lines (connected, login accepted) are left out (the manual's {@code -m}). */
    public boolean quiet() { return quiet; }
    /** Where scanned messages are spooled. */
    public Path spoolDirectory() { return spoolDirectory; }
    /** The largest message, in bytes, that is spooled and scanned; larger ones are refused. */
    public long maxScanSize() { return maxScanSize; }
    /** The proxy's certificate for clients: STLS is offered, and implicit TLS possible, when present. */
    public Optional<ClientTls> clientTls() { return clientTls; }
    /** Whether USER and PASS are refused until the client has started TLS. */
    public boolean tlsRequired() { return tlsRequired; }
    /** Whether CAPA is answered even without {@link #clientTls()} (it always is with it). */
    public boolean capa() { return capa; }
    /** How the connection to the server is protected; {@link UpstreamTls#NONE} by default. */
    public UpstreamTls upstreamTls() { return upstreamTls; }
    /** The most bytes all sessions of this process may hold in spool files at once. */
    public long maxSpoolTotal() { return maxSpoolTotal; }
    /** The most sessions a {@link ProxyServer} serves at once; more are refused with {@code -ERR}. */
    public int maxSessions() { return maxSessions; }
    /** The most sessions one client address may hold at once on a {@link ProxyServer}. */
    public int maxSessionsPerClient() { return maxSessionsPerClient; }
    /** Bounds the whole AUTHORIZATION phase, however slowly the client trickles its lines. */
    public Duration authorizationTimeout() { return authorizationTimeout; }

    /** Builds {@link ProxyConfig}s. Not thread-safe. */
    public static final class Builder {
        private ServerSelector selector;
        private AccessController accessController = AccessController.ALLOW_ALL;
        private LoginRecorder loginRecorder = LoginRecorder.NONE;
        private VirusScanner virusScanner = VirusScanner.NONE;
        private Transport transport = Transport.PLAIN;
        private Duration timeout = Duration.ofSeconds(600);
        private Duration connectTimeout;
        private Optional<InetAddress> sourceAddress = Optional.empty();
        private String greeting = DEFAULT_GREETING;
        private int maxUnknownCommands = 5;
        private int maxAuthorizationLines = 6;
        private boolean relayServerErrors;
        private boolean quiet;
        private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private long maxScanSize = 25L * 1024 * 1024;
        private Optional<ClientTls> clientTls = Optional.empty();
        private boolean tlsRequired;
        private boolean capa;
        private UpstreamTls upstreamTls = UpstreamTls.NONE;
        private long maxSpoolTotal = 1024L * 1024 * 1024;
        private int maxSessions = 10_000;
        private int maxSessionsPerClient = 100;
        private Duration authorizationTimeout = Duration.ofSeconds(120);

        private Builder(ServerSelector selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
        }

        private Builder(ProxyConfig c) {
            selector = c.selector;
            accessController = c.accessController;
            loginRecorder = c.loginRecorder;
            virusScanner = c.virusScanner;
            transport = c.transport;
            timeout = c.timeout;
            connectTimeout = c.connectTimeout;
            sourceAddress = c.sourceAddress;
            greeting = c.greeting;
            maxUnknownCommands = c.maxUnknownCommands;
            maxAuthorizationLines = c.maxAuthorizationLines;
            relayServerErrors = c.relayServerErrors;
            quiet = c.quiet;
            spoolDirectory = c.spoolDirectory;
            maxScanSize = c.maxScanSize;
            clientTls = c.clientTls;
            tlsRequired = c.tlsRequired;
            capa = c.capa;
            upstreamTls = c.upstreamTls;
            maxSpoolTotal = c.maxSpoolTotal;
            maxSessions = c.maxSessions;
            maxSessionsPerClient = c.maxSessionsPerClient;
            authorizationTimeout = c.authorizationTimeout;
        }

        public Builder selector(ServerSelector selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
            return this;
        }

        public Builder accessController(AccessController accessController) {
            this.accessController = Objects.requireNonNull(accessController, "accessController");
            return this;
        }

        public Builder loginRecorder(LoginRecorder loginRecorder) {
            this.loginRecorder = Objects.requireNonNull(loginRecorder, "loginRecorder");
            return this;
        }

        public Builder virusScanner(VirusScanner virusScanner) {
            this.virusScanner = Objects.requireNonNull(virusScanner, "virusScanner");
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Sets the bound on every wait (the manual's {@code -t}); also the connect timeout unless set. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        public Builder sourceAddress(InetAddress sourceAddress) {
            this.sourceAddress = Optional.of(sourceAddress);
            return this;
        }

        public Builder greeting(String greeting) {
            this.greeting = Objects.requireNonNull(greeting, "greeting");
            return this;
        }

        public Builder maxUnknownCommands(int maxUnknownCommands) {
            this.maxUnknownCommands = maxUnknownCommands;
            return this;
        }

        public Builder maxAuthorizationLines(int maxAuthorizationLines) {
            this.maxAuthorizationLines = maxAuthorizationLines;
            return this;
        }

        public Builder relayServerErrors(boolean relayServerErrors) {
            this.relayServerErrors = relayServerErrors;
            return this;
        }

        public Builder quiet(boolean quiet) {
            this.quiet = quiet;
            return this;
        }

        public Builder spoolDirectory(Path spoolDirectory) {
            this.spoolDirectory = Objects.requireNonNull(spoolDirectory, "spoolDirectory");
            return this;
        }

        public Builder maxScanSize(long maxScanSize) {
            this.maxScanSize = maxScanSize;
            return this;
        }

        /** Offers STLS to clients with this certificate, and answers CAPA. */
        public Builder clientTls(ClientTls clientTls) {
            this.clientTls = Optional.of(Objects.requireNonNull(clientTls, "clientTls"));
            return this;
        }

        /** Refuses USER and PASS before STLS (needs {@link #clientTls}). */
        public Builder tlsRequired(boolean tlsRequired) {
            this.tlsRequired = tlsRequired;
            return this;
        }

        /** Answers CAPA (RFC 2449) even without client TLS. */
        public Builder capa(boolean capa) {
            this.capa = capa;
            return this;
        }

        /** Protects the connection to the server as {@code upstreamTls} says. */
        public Builder upstreamTls(UpstreamTls upstreamTls) {
            this.upstreamTls = Objects.requireNonNull(upstreamTls, "upstreamTls");
            return this;
        }

        public Builder maxSpoolTotal(long maxSpoolTotal) {
            this.maxSpoolTotal = maxSpoolTotal;
            return this;
        }

        public Builder maxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
            return this;
        }

        public Builder maxSessionsPerClient(int maxSessionsPerClient) {
            this.maxSessionsPerClient = maxSessionsPerClient;
            return this;
        }

        public Builder authorizationTimeout(Duration authorizationTimeout) {
            this.authorizationTimeout = Objects.requireNonNull(authorizationTimeout, "authorizationTimeout");
            return this;
        }

        /** Returns the configuration, or throws naming the field that is out of range. */
        public ProxyConfig build() {
            requirePositive(timeout, "timeout");
            if (connectTimeout != null) {
                requirePositive(connectTimeout, "connectTimeout");
            }
            if (maxUnknownCommands < 0) {
                throw new IllegalArgumentException("maxUnknownCommands < 0: " + maxUnknownCommands);
            }
            if (maxAuthorizationLines < 1) {
                throw new IllegalArgumentException("maxAuthorizationLines < 1: " + maxAuthorizationLines);
            }
            if (maxScanSize < 1) {
                throw new IllegalArgumentException("maxScanSize < 1: " + maxScanSize);
            }
            if (maxSpoolTotal < maxScanSize) {
                throw new IllegalArgumentException("maxSpoolTotal (" + maxSpoolTotal + ") < maxScanSize ("
                        + maxScanSize + ")");
            }
            if (maxSessions < 1) {
                throw new IllegalArgumentException("maxSessions < 1: " + maxSessions);
            }
            if (maxSessionsPerClient < 1) {
                throw new IllegalArgumentException("maxSessionsPerClient < 1: " + maxSessionsPerClient);
            }
            requirePositive(authorizationTimeout, "authorizationTimeout");
            if (!greeting.startsWith("+OK") || greeting.indexOf('\r') >= 0 || greeting.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("greeting must be one +OK line: " + greeting);
            }
            if (tlsRequired && clientTls.isEmpty()) {
                throw new IllegalArgumentException("tlsRequired needs clientTls (a certificate to offer STLS with)");
            }
            return new ProxyConfig(this);
        }

        private static void requirePositive(Duration d, String name) {
            if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " out of range: " + d);
            }
        }
    }
}
