package org.pop3proxy.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
        given = Set.copyOf(given);
    }

    /** Returns whether this is the daemon mode ({@code -D} or {@code -DD}) rather than inetd mode. */
    boolean daemon() {
        return listenAddress.isPresent();
    }

    /** Returns whether {@code option} (such as {@code "z"} or {@code "pid-file"}) was on the command line. */
    boolean wasGiven(String option) {
        return given.contains(option);
    }
}
