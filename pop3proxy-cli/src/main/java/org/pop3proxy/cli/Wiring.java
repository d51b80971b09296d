package org.pop3proxy.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.engine.ClientTls;
import org.pop3proxy.engine.ListenOptions;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyProtocol;
import org.pop3proxy.engine.UpstreamTls;
import org.pop3proxy.engine.defaults.ClamdScanner;
import org.pop3proxy.engine.defaults.LoginFiles;
import org.pop3proxy.engine.defaults.ManualServerSelector;
import org.pop3proxy.engine.defaults.ProgramAccessController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a parsed command line into the engine's configuration, one engine call per option (the
 * table in docs/CLI.md). The TLS and clamd parts live in nested classes that are loaded only when
 * their options are given, so that a plain inetd start loads none of them.
 */
final class Wiring {
    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    private Wiring() {}

    /**
     * What the engine is given: the configuration, and how connections are entered.
     *
     * @param config the proxy's configuration
     * @param listen how each client connection is entered (PROXY header, implicit TLS)
     */
    record Wired(ProxyConfig config, ListenOptions listen) {
        Wired {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(listen, "listen");
        }
    }

    /**
     * Returns the engine's configuration for {@code o}; throws a {@link UsageException} for a
     * combination the engine refuses, and a {@link StartupException} for a file that cannot be
     * used (a certificate, a key, a CA file), naming it.
     */
    static Wired wire(CliOptions o) throws UsageException, StartupException {
        ProxyConfig.Builder b = ProxyConfig.builder(selector(o))
                .timeout(o.timeout())
                .quiet(o.quiet())
                .relayServerErrors(o.limits().relayServerErrors());
        if (o.accessControlProgram().isPresent()) {
            b.accessController(accessController(o));
        }
        o.loginDirectory().ifPresent(dir -> b.loginRecorder(LoginFiles.in(dir)));
        o.sourceAddress().ifPresent(b::sourceAddress);
        o.limits().maxSessions().ifPresent(b::maxSessions);
        o.limits().maxSessionsPerClient().ifPresent(b::maxSessionsPerClient);
        o.limits().authorizationTimeout().ifPresent(b::authorizationTimeout);
        if (o.virusScanning()) {
            Scanning.configure(b, o);
        }
        ListenOptions listen = ListenOptions.PLAIN;
        if (o.tls().certificate().isPresent() || o.tls().capa() || !o.tls().upstreamMode().equals("none")) {
            Tls.configure(b, o.tls());
            listen = listen.withImplicitTls(o.tls().pop3s());
        }
        if (o.tls().proxyProtocolFrom().isPresent()) {
            try {
                listen = listen.withProxyProtocol(ProxyProtocol.allowFrom(o.tls().proxyProtocolFrom().get()));
            } catch (IllegalArgumentException e) {
                throw new UsageException("option --proxy-protocol-from: " + e.getMessage());
            }
        }
        try {
            return new Wired(b.build(), listen);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** {@code -e -c -s} and the server argument; {@code -} without {@code -e} refuses every login. */
    private static ServerSelector selector(CliOptions o) throws UsageException {
        if (o.server().isEmpty() && !o.serverSelection()) {
            return (client, login) -> Selection.reject("no server: the command line says -");
        }
        try {
            ManualServerSelector.Builder s = ManualServerSelector.builder()
                    .clientSelection(o.serverSelection())
                    .delimiters(o.delimiters());
            o.server().ifPresentOrElse(s::defaultServer, s::noDefaultServer);
            if (!o.allowedServers().isEmpty()) {
                s.serverList(o.allowedServers());
            }
            return s.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** {@code -a}, with {@code -v} as its prefix and {@code -t} as its time limit. */
    private static ProgramAccessController accessController(CliOptions o) throws UsageException {
        try {
            return ProgramAccessController.builder(o.accessControlProgram().orElseThrow())
                    .variablePrefix(o.variablePrefix())
                    .timeout(o.timeout())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("option -a: " + e.getMessage());
        }
    }

    /** Reads the client certificate again on SIGHUP; a bad new file keeps the old one. */
    static void reloadTls(ProxyConfig config) {
        if (config.clientTls().isEmpty()) {
            LOG.info("SIGHUP: no certificate to reload");
            return;
        }
        Tls.reload(config);
    }

    /** {@code -z} and its long options: a {@link ClamdScanner} and the spool limits. */
    private static final class Scanning {
        private static final Duration CONNECT = Duration.ofSeconds(10);
        private static final Duration READ = Duration.ofSeconds(120);

        private Scanning() {}

        static void configure(ProxyConfig.Builder b, CliOptions o) throws UsageException {
            CliOptions.Scanning s = o.scanning();
            ClamdScanner.Builder clamd = ClamdScanner.builder();
            try {
                if (s.clamdSocket().isPresent()) {
                    clamd.unixSocket(s.clamdSocket().get());
                } else {
                    clamd.tcp(s.clamdHost(), s.clamdPort());
                }
                clamd.mode(s.contscan() ? ClamdScanner.Mode.CONTSCAN : ClamdScanner.Mode.INSTREAM)
                        .connectTimeout(min(CONNECT, o.timeout()))
                        .readTimeout(min(READ, o.timeout()))
                        .totalTimeout(o.timeout());
                // Both limits default to 25 MiB in the engine; one option sets both.
                if (s.maxScanSize().isPresent()) {
                    clamd.maxSize(s.maxScanSize().getAsLong());
                    b.maxScanSize(s.maxScanSize().getAsLong());
                }
                b.virusScanner(clamd.build());
                s.spoolDirectory().ifPresent(b::spoolDirectory);
                s.maxSpoolTotal().ifPresent(b::maxSpoolTotal);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }
    }

    /** The TLS options of both sides (docs/TLS.md's table). */
    private static final class Tls {
        private Tls() {}

        static void configure(ProxyConfig.Builder b, CliOptions.Tls t) throws StartupException {
            if (t.certificate().isPresent()) {
                Path cert = t.certificate().get();
                Path key = t.key().orElseThrow();
                try {
                    b.clientTls(ClientTls.fromPem(cert, key));
                } catch (IOException e) {
                    throw new StartupException("TLS: " + e.getMessage());
                }
                b.tlsRequired(t.required());
            }
            b.capa(t.capa());
            UpstreamTls.Mode mode = UpstreamTls.Mode.parse(t.upstreamMode());
            if (mode != UpstreamTls.Mode.NONE) {
                UpstreamTls.Trust trust = UpstreamTls.Trust.system();
                if (t.upstreamInsecure()) {
                    trust = UpstreamTls.Trust.insecure();
                } else if (t.upstreamCa().isPresent()) {
                    try {
                        trust = UpstreamTls.Trust.caFile(t.upstreamCa().get());
                    } catch (IOException e) {
                        throw new StartupException("option --upstream-ca: " + e.getMessage());
                    }
                }
                b.upstreamTls(UpstreamTls.of(mode, trust));
            }
        }

        static void reload(ProxyConfig config) {
            ClientTls tls = config.clientTls().orElseThrow();
            try {
                tls.reload();
                LOG.info("SIGHUP: reloaded the TLS certificate {} and key {}", tls.certificateFile(), tls.keyFile());
            } catch (IOException e) {
                LOG.error("SIGHUP: keeping the old TLS certificate: {}", e.getMessage());
            }
        }
    }
}
