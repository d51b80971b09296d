package org.pop3proxy.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.pop3proxy.api.ServerTarget;

/**
 * One parsed command line, with the manual's defaults filled in. Immutable.
 *
 * @param accessControlProgram {@code -a}: the access control program's command line
 * @param delimiters           {@code -c}: the characters that split a login from its server
 * @param serverSelection      {@code -e}: whether the client may choose the server
 * @param loginDirectory       {@code -l}: where the last login of each client is recorded
 * @param quiet                {@code -m}: whether routine log lines are left out
 * @param sourceAddress        {@code -q}: the source address of upstream connections
 * @param allowedServers       {@code -s}: the server patterns a client may choose from
 * @param timeout              {@code -t}: the bound on every wait
 * @param user                 {@code -u}: the user to run as when started as root
 * @param variablePrefix       {@code -v}: the prefix of the access control program's variables
 * @param virusScanning        {@code -z}: whether messages are scanned by clamd
 * @param debug                {@code -d}: stay in the foreground and log to stderr
 * @param listenAddress        {@code -D}/{@code -DD}: where the daemon listens; empty in inetd mode
 * @param server               the positional server; empty for {@code -}, "no default server"
 * @param syslogSocket         {@code --syslog-socket}: the syslog datagram socket
 * @param pidFile              {@code --pid-file}: where a daemon writes its process id
 * @param scanning             the clamd and spool options that go with {@code -z}
 * @param tls                  the TLS and PROXY protocol options
 * @param limits               the session limits and {@code --relay-server-errors}
 * @param given                the short names (and long names) of the options on the command line
 */
record CliOptions(
        Optional<String> accessControlProgram,
        String delimiters,
        boolean serverSelection,
        Optional<Path> loginDirectory,
        boolean quiet,
        Optional<InetAddress> sourceAddress,
        List<String> allowedServers,
        Duration timeout,
        String user,
        String variablePrefix,
        boolean virusScanning,
        boolean debug,
        Optional<InetSocketAddress> listenAddress,
        Optional<ServerTarget> server,
        Path syslogSocket,
        Optional<Path> pidFile,
        Scanning scanning,
        Tls tls,
        Limits limits,
        Set<String> given) {

    /** The manual's default {@code -c}. */
    static final String DEFAULT_DELIMITERS = "@";
    /** The manual's default {@code -t}. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    /** The manual's default {@code -u}. */
    static final String DEFAULT_USER = "nobody";
    /** The manual's default {@code -v}. */
    static final String DEFAULT_PREFIX = "PROXY_";
    /** Where syslog(3) sends its datagrams. */
    static final Path DEFAULT_SYSLOG_SOCKET = Path.of("/dev/log");

    CliOptions {
        Objects.requireNonNull(accessControlProgram, "accessControlProgram");
        Objects.requireNonNull(delimiters, "delimiters");
        Objects.requireNonNull(loginDirectory, "loginDirectory");
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        allowedServers = List.copyOf(allowedServers);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(variablePrefix, "variablePrefix");
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(syslogSocket, "syslogSocket");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(scanning, "scanning");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(limits, "limits");
        given = Set.copyOf(given);
    }

    /** Returns whether this is the daemon mode ({@code -D} or {@code -DD}) rather than inetd mode. */
    boolean daemon() {
        return listenAddress.isPresent();
    }

    /**
     * Returns whether an inetd start may greet its client before it is configured: a plain
     * connection (no pop3s handshake, no PROXY header to read first) and no {@code -z}, whose
     * clamd check comes before the greeting.
     */
    boolean greetsAtOnce() {
        return !daemon() && !virusScanning && !tls.pop3s() && tls.proxyProtocolFrom().isEmpty();
    }

    /** Returns whether {@code option} (such as {@code "z"} or {@code "pid-file"}) was on the command line. */
    boolean wasGiven(String option) {
        return given.contains(option);
    }

    /**
     * How {@code -z} reaches clamd and spools messages; empty values keep the engine's defaults.
     *
     * @param clamdHost      {@code --clamd}: clamd's TCP host (default 127.0.0.1)
     * @param clamdPort      {@code --clamd}: clamd's TCP port (default 3310)
     * @param clamdSocket    {@code --clamd-socket}: clamd's Unix socket, used instead of TCP
     * @param contscan       {@code --clamd-mode contscan}: clamd reads the spool file itself
     * @param spoolDirectory {@code --spool-dir}: where messages are spooled
     * @param maxScanSize    {@code --max-scan-size}: the largest message scanned, in bytes
     * @param maxSpoolTotal  {@code --max-spool-total}: the most bytes spooled at once, in bytes
     */
    record Scanning(String clamdHost, int clamdPort, Optional<Path> clamdSocket, boolean contscan,
                    Optional<Path> spoolDirectory, OptionalLong maxScanSize, OptionalLong maxSpoolTotal) {
        /** clamd's address without {@code --clamd}: the manual's 127.0.0.1:3310. */
        static final String DEFAULT_HOST = "127.0.0.1";
        static final int DEFAULT_PORT = 3310;

        Scanning {
            Objects.requireNonNull(clamdHost, "clamdHost");
            Objects.requireNonNull(clamdSocket, "clamdSocket");
            Objects.requireNonNull(spoolDirectory, "spoolDirectory");
            Objects.requireNonNull(maxScanSize, "maxScanSize");
            Objects.requireNonNull(maxSpoolTotal, "maxSpoolTotal");
        }
    }

    /**
     * The TLS options of both sides and the PROXY protocol (docs/TLS.md).
     *
     * @param certificate       {@code --tls-cert}: the PEM certificate chain offered to clients
     * @param key               {@code --tls-key}: its unencrypted PKCS#8 PEM key
     * @param required          {@code --tls-required}: USER and PASS only after STLS
     * @param pop3s             {@code --pop3s}: implicit TLS on the client connection
     * @param capa              {@code --capa}: answer CAPA even without a certificate
     * @param upstreamMode      {@code --upstream-tls}: none, stls or implicit
     * @param upstreamCa        {@code --upstream-ca}: trust only these CAs for the server
     * @param upstreamInsecure  {@code --upstream-insecure}: check no server certificate
     * @param proxyProtocolFrom {@code --proxy-protocol-from}: who may send a PROXY header; present
     *                          exactly when {@code --proxy-protocol} is on
     */
    record Tls(Optional<Path> certificate, Optional<Path> key, boolean required, boolean pop3s, boolean capa,
               String upstreamMode, Optional<Path> upstreamCa, boolean upstreamInsecure,
               Optional<String> proxyProtocolFrom) {
        Tls {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(upstreamMode, "upstreamMode");
            Objects.requireNonNull(upstreamCa, "upstreamCa");
            Objects.requireNonNull(proxyProtocolFrom, "proxyProtocolFrom");
        }
    }

    /**
     * The hardening limits; empty values keep the engine's defaults.
     *
     * @param maxSessions          {@code --max-sessions}: concurrent sessions of a daemon
     * @param maxSessionsPerClient {@code --max-sessions-per-client}: per client address
     * @param authorizationTimeout {@code --auth-timeout}: the whole AUTHORIZATION phase
     * @param relayServerErrors    {@code --relay-server-errors}: pass the server's -ERR text at login on
     */
    record Limits(OptionalInt maxSessions, OptionalInt maxSessionsPerClient, Optional<Duration> authorizationTimeout,
                  boolean relayServerErrors) {
        Limits {
            Objects.requireNonNull(maxSessions, "maxSessions");
            Objects.requireNonNull(maxSessionsPerClient, "maxSessionsPerClient");
            Objects.requireNonNull(authorizationTimeout, "authorizationTimeout");
        }
    }
}
