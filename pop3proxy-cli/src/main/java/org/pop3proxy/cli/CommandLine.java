package org.pop3proxy.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.pop3proxy.api.ServerTarget;

/**
 * Parses the manual's command line, {@code pop3.proxy [options] server}, into {@link CliOptions}.
 *
 * <p>jopt-simple does the parsing, except for {@code -D}: the manual counts it ({@code -D} listens
 * on port 110, {@code -DD [interface:]port} on the address that follows), and jopt-simple cannot
 * count a flag. So {@link #normalise} first walks the arguments the way getopt(3) would, takes
 * every {@code D} out of the short-option clusters (never out of an option's argument, so
 * {@code -aD} stays {@code -a D}), and for {@code -DD} takes the next argument as the listen
 * address.
 */
final class CommandLine {
    /** The short options that take an argument, as getopt(3) would be told: {@code "a:c:l:q:s:t:u:v:"}. */
    private static final String WITH_ARGUMENT = "aclqstuv";
    private static final Set<String> LONG_WITH_ARGUMENT = Set.of("syslog-socket", "pid-file", "clamd",
            "clamd-socket", "clamd-mode", "spool-dir", "max-scan-size", "max-spool-total", "tls-cert", "tls-key",
            "upstream-tls", "upstream-ca", "proxy-protocol-from", "max-sessions", "max-sessions-per-client",
            "auth-timeout");
    /** The long options that only mean something with {@code -z}. */
    private static final List<String> SCAN_OPTIONS = List.of("clamd", "clamd-socket", "clamd-mode", "spool-dir",
            "max-scan-size", "max-spool-total");
    private static final long KIB = 1024;

    static final String USAGE = String.join("\n",
            "usage: pop3.proxy [options] server",
            "       server is host[:port] ([address]:port for IPv6), or - for none",
            "options:",
            "  -a acp          access control program",
            "  -c charset      username/server delimiters (default @)",
            "  -e              let the client select the server (user@server)",
            "  -l dir          record the last login of each client in dir/clientip",
            "  -m              fewer log lines",
            "  -q srcip        source IP number of the connection to the server",
            "  -s serverlist   servers the client may select (with -e; * and ? match)",
            "  -t timeout      timeout in seconds (default 600)",
            "  -u user         user to run as when started as root (default nobody)",
            "  -v prefix       variable prefix for the acp (default PROXY_)",
            "  -z              scan messages with clamd",
            "  -d              debug: stay in the foreground, log to stderr",
            "  -D              daemon listening on 0.0.0.0:110",
            "  -DD [interface:]port   daemon listening there",
            "  --syslog-socket path   syslog socket (default /dev/log)",
            "  --pid-file path        file the daemon writes its process id to",
            "virus scanning (with -z):",
            "  --clamd host[:port]    clamd's TCP socket (default 127.0.0.1:3310)",
            "  --clamd-socket path    clamd's Unix socket instead of TCP",
            "  --clamd-mode mode      instream (default) or contscan (clamd reads the spool file)",
            "  --spool-dir dir        where messages are spooled (default java.io.tmpdir, /tmp)",
            "  --max-scan-size bytes  largest message scanned, larger ones refused (default 25M)",
            "  --max-spool-total bytes   spool space of all sessions together (default 1G)",
            "TLS and load balancers:",
            "  --tls-cert file        PEM certificate chain: offer STLS, answer CAPA",
            "  --tls-key file         its unencrypted PKCS#8 PEM key",
            "  --tls-required         refuse USER and PASS before STLS",
            "  --pop3s                implicit TLS on the client connection (port 995 style)",
            "  --capa                 answer CAPA without a certificate too",
            "  --upstream-tls mode    none (default), stls or implicit towards the server",
            "  --upstream-ca file     trust only these PEM CAs for the server (default: system)",
            "  --upstream-insecure    check no server certificate (a trusted link only)",
            "  --proxy-protocol       read a PROXY protocol v1/v2 header first",
            "  --proxy-protocol-from list   who may send it: IPs and CIDR networks, comma-separated",
            "limits:",
            "  --max-sessions n       concurrent sessions of a daemon (default 10000)",
            "  --max-sessions-per-client n   per client address (default 100)",
            "  --auth-timeout secs    bound on the whole login phase (default 120)",
            "  --relay-server-errors  pass the server's -ERR text at login on",
            "  --help                 this text");

    private CommandLine() {}

    /** Returns the options {@code args} spell, or throws saying what is wrong and how to exit. */
    static CliOptions parse(String... args) throws UsageException {
        Normalised n = normalise(args);
        OptionParser parser = new OptionParser(false);
        OptionSpec<String> acp = parser.accepts("a").withRequiredArg();
        OptionSpec<String> charset = parser.accepts("c").withRequiredArg();
        parser.accepts("e");
        OptionSpec<String> dir = parser.accepts("l").withRequiredArg();
        parser.accepts("m");
        OptionSpec<String> srcip = parser.accepts("q").withRequiredArg();
        OptionSpec<String> list = parser.accepts("s").withRequiredArg();
        OptionSpec<String> timeout = parser.accepts("t").withRequiredArg();
        OptionSpec<String> user = parser.accepts("u").withRequiredArg();
        OptionSpec<String> prefix = parser.accepts("v").withRequiredArg();
        parser.accepts("z");
        parser.accepts("d");
        OptionSpec<String> syslog = parser.accepts("syslog-socket").withRequiredArg();
        OptionSpec<String> pidFile = parser.accepts("pid-file").withRequiredArg();
        OptionSpec<String> clamd = parser.accepts("clamd").withRequiredArg();
        OptionSpec<String> clamdSocket = parser.accepts("clamd-socket").withRequiredArg();
        OptionSpec<String> clamdMode = parser.accepts("clamd-mode").withRequiredArg();
        OptionSpec<String> spoolDir = parser.accepts("spool-dir").withRequiredArg();
        OptionSpec<String> maxScanSize = parser.accepts("max-scan-size").withRequiredArg();
        OptionSpec<String> maxSpoolTotal = parser.accepts("max-spool-total").withRequiredArg();
        OptionSpec<String> tlsCert = parser.accepts("tls-cert").withRequiredArg();
        OptionSpec<String> tlsKey = parser.accepts("tls-key").withRequiredArg();
        parser.accepts("tls-required");
        parser.accepts("pop3s");
        parser.accepts("capa");
        OptionSpec<String> upstreamTls = parser.accepts("upstream-tls").withRequiredArg();
        OptionSpec<String> upstreamCa = parser.accepts("upstream-ca").withRequiredArg();
        parser.accepts("upstream-insecure");
        parser.accepts("proxy-protocol");
        OptionSpec<String> proxyFrom = parser.accepts("proxy-protocol-from").withRequiredArg();
        OptionSpec<String> maxSessions = parser.accepts("max-sessions").withRequiredArg();
        OptionSpec<String> perClient = parser.accepts("max-sessions-per-client").withRequiredArg();
        OptionSpec<String> authTimeout = parser.accepts("auth-timeout").withRequiredArg();
        parser.accepts("relay-server-errors");
        parser.accepts("help");
        OptionSpec<String> server = parser.nonOptions();

        OptionSet set;
        try {
            set = parser.parse(n.args().toArray(new String[0]));
        } catch (OptionException e) {
            throw new UsageException(e.getMessage());
        }
        for (OptionSpec<?> spec : List.of(acp, charset, dir, srcip, list, timeout, user, prefix, syslog, pidFile,
                clamd, clamdSocket, clamdMode, spoolDir, maxScanSize, maxSpoolTotal, tlsCert, tlsKey, upstreamTls,
                upstreamCa, proxyFrom, maxSessions, perClient, authTimeout)) {
            if (set.valuesOf(spec).size() > 1) {
                throw new UsageException("option " + display(spec) + " given more than once");
            }
        }
        Set<String> given = new LinkedHashSet<>();
        for (OptionSpec<?> spec : set.specs()) {
            given.addAll(spec.options());
        }
        if (n.daemons() > 0) {
            given.add("D");
        }
        if (n.daemons() > 1) {
            given.add("DD");
        }

        List<String> servers = set.valuesOf(server);
        if (servers.size() > 1) {
            throw new UsageException("one server expected, got " + servers.size() + ": " + String.join(" ", servers));
        }
        if (given.contains("s") && !given.contains("e")) {
            throw new UsageException("option -s needs -e");
        }
        String delimiters = value(set, charset).orElse(CliOptions.DEFAULT_DELIMITERS);
        if (delimiters.isEmpty()) {
            throw new UsageException("option -c needs at least one character");
        }
        List<String> allowed = new ArrayList<>();
        if (set.has(list)) {
            for (String entry : set.valueOf(list).split(",", -1)) {
                if (entry.isBlank()) {
                    throw new UsageException("option -s: empty entry in " + set.valueOf(list));
                }
                allowed.add(entry.trim());
            }
        }
        String variablePrefix = value(set, prefix).orElse(CliOptions.DEFAULT_PREFIX);
        if (!Chars.word(variablePrefix)) {
            throw new UsageException("option -v: a prefix is letters, digits and _ only: " + variablePrefix);
        }
        String userName = value(set, user).orElse(CliOptions.DEFAULT_USER);
        if (userName.isEmpty()) {
            throw new UsageException("option -u needs a user");
        }
        Optional<String> program = value(set, acp);
        if (program.isPresent() && program.get().isBlank()) {
            throw new UsageException("option -a needs a program");
        }
        Optional<InetAddress> source = Optional.empty();
        if (set.has(srcip)) {
            source = Optional.of(Endpoints.ipNumber(set.valueOf(srcip), "option -q"));
        }
        Optional<InetSocketAddress> listen = Optional.empty();
        if (n.daemons() == 1) {
            listen = Optional.of(Endpoints.defaultListen());
        } else if (n.daemons() == 2) {
            listen = Optional.of(Endpoints.listen(n.listen()));
        }
        Optional<ServerTarget> target = Optional.empty();
        if (servers.isEmpty()) {
            throw new UsageException("no server given", UsageException.NO_SERVER);
        } else if (!servers.get(0).equals("-")) {
            target = Optional.of(Endpoints.server(servers.get(0)));
        }
        CliOptions.Scanning scanning = scanning(set, given, clamd, clamdSocket, clamdMode, spoolDir, maxScanSize,
                maxSpoolTotal);
        CliOptions.Tls tls = tls(set, given, tlsCert, tlsKey, upstreamTls, upstreamCa, proxyFrom);
        CliOptions.Limits limits = limits(set, given, listen.isPresent(), maxSessions, perClient, authTimeout);
        return new CliOptions(program, delimiters, set.has("e"), path(value(set, dir), "-l"),
                set.has("m"), source, allowed, timeout(value(set, timeout)), userName, variablePrefix,
                set.has("z"), set.has("d"), listen, target,
                path(value(set, syslog), "--syslog-socket").orElse(CliOptions.DEFAULT_SYSLOG_SOCKET),
                path(value(set, pidFile), "--pid-file"), scanning, tls, limits, given);
    }

    private static CliOptions.Scanning scanning(OptionSet set, Set<String> given, OptionSpec<String> clamd,
            OptionSpec<String> clamdSocket, OptionSpec<String> clamdMode, OptionSpec<String> spoolDir,
            OptionSpec<String> maxScanSize, OptionSpec<String> maxSpoolTotal) throws UsageException {
        if (!given.contains("z")) {
            for (String option : SCAN_OPTIONS) {
                if (given.contains(option)) {
                    throw new UsageException("option --" + option + " needs -z");
                }
            }
        }
        if (given.contains("clamd") && given.contains("clamd-socket")) {
            throw new UsageException("options --clamd and --clamd-socket exclude each other");
        }
        String host = CliOptions.Scanning.DEFAULT_HOST;
        int port = CliOptions.Scanning.DEFAULT_PORT;
        if (set.has(clamd)) {
            ServerTarget at = Endpoints.hostPort(set.valueOf(clamd), port, "option --clamd");
            host = at.host();
            port = at.port();
        }
        boolean contscan = false;
        if (set.has(clamdMode)) {
            String mode = set.valueOf(clamdMode).toLowerCase(Locale.ROOT);
            if (!mode.equals("instream") && !mode.equals("contscan")) {
                throw new UsageException("option --clamd-mode: instream or contscan, not " + set.valueOf(clamdMode));
            }
            contscan = mode.equals("contscan");
        }
        return new CliOptions.Scanning(host, port, path(value(set, clamdSocket), "--clamd-socket"), contscan,
                path(value(set, spoolDir), "--spool-dir"), bytes(value(set, maxScanSize), "--max-scan-size"),
                bytes(value(set, maxSpoolTotal), "--max-spool-total"));
    }

    private static CliOptions.Tls tls(OptionSet set, Set<String> given, OptionSpec<String> tlsCert,
            OptionSpec<String> tlsKey, OptionSpec<String> upstreamTls, OptionSpec<String> upstreamCa,
            OptionSpec<String> proxyFrom) throws UsageException {
        if (given.contains("tls-cert") != given.contains("tls-key")) {
            throw new UsageException("options --tls-cert and --tls-key go together");
        }
        for (String option : List.of("tls-required", "pop3s")) {
            if (given.contains(option) && !given.contains("tls-cert")) {
                throw new UsageException("option --" + option + " needs --tls-cert and --tls-key");
            }
        }
        if (given.contains("pop3s") && given.contains("tls-required")) {
            throw new UsageException("option --tls-required means nothing with --pop3s: every connection is TLS");
        }
        String mode = value(set, upstreamTls).orElse("none").toLowerCase(Locale.ROOT);
        if (!List.of("none", "stls", "implicit").contains(mode)) {
            throw new UsageException("option --upstream-tls: none, stls or implicit, not " + set.valueOf(upstreamTls));
        }
        if (given.contains("upstream-ca") && given.contains("upstream-insecure")) {
            throw new UsageException("options --upstream-ca and --upstream-insecure exclude each other");
        }
        for (String option : List.of("upstream-ca", "upstream-insecure")) {
            if (given.contains(option) && mode.equals("none")) {
                throw new UsageException("option --" + option + " needs --upstream-tls stls or implicit");
            }
        }
        if (given.contains("proxy-protocol") != given.contains("proxy-protocol-from")) {
            throw new UsageException("options --proxy-protocol and --proxy-protocol-from go together"
                    + " (trusting the header from everyone would let any client claim any address)");
        }
        Optional<String> from = value(set, proxyFrom);
        if (from.isPresent() && from.get().isBlank()) {
            throw new UsageException("option --proxy-protocol-from needs at least one address");
        }
        return new CliOptions.Tls(path(value(set, tlsCert), "--tls-cert"), path(value(set, tlsKey), "--tls-key"),
                given.contains("tls-required"), given.contains("pop3s"), given.contains("capa"), mode,
                path(value(set, upstreamCa), "--upstream-ca"), given.contains("upstream-insecure"), from);
    }

    private static CliOptions.Limits limits(OptionSet set, Set<String> given, boolean daemon,
            OptionSpec<String> maxSessions, OptionSpec<String> perClient, OptionSpec<String> authTimeout)
            throws UsageException {
        for (String option : List.of("max-sessions", "max-sessions-per-client")) {
            if (given.contains(option) && !daemon) {
                throw new UsageException("option --" + option + " applies to the daemon mode (-D) only");
            }
        }
        Optional<Duration> auth = Optional.empty();
        if (set.has(authTimeout)) {
            auth = Optional.of(seconds(set.valueOf(authTimeout), "--auth-timeout"));
        }
        return new CliOptions.Limits(count(value(set, maxSessions), "--max-sessions"),
                count(value(set, perClient), "--max-sessions-per-client"), auth, given.contains("relay-server-errors"));
    }

    private static OptionalInt count(Optional<String> text, String option) throws UsageException {
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        String t = text.get();
        if (!Chars.digits(t, 9) || Integer.parseInt(t) == 0) {
            throw new UsageException("option " + option + ": a number from 1 to 999999999, not " + t);
        }
        return OptionalInt.of(Integer.parseInt(t));
    }

    /** Parses a byte count: digits with an optional binary suffix K, M or G (KiB, MiB, GiB). */
    static OptionalLong bytes(Optional<String> text, String option) throws UsageException {
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        String t = text.get();
        char last = t.isEmpty() ? '0' : Character.toUpperCase(t.charAt(t.length() - 1));
        long unit = switch (last) {
            case 'K' -> KIB;
            case 'M' -> KIB * KIB;
            case 'G' -> KIB * KIB * KIB;
            default -> 1;
        };
        String number = unit == 1 ? t : t.substring(0, t.length() - 1);
        if (!Chars.digits(number, 12) || Long.parseLong(number) == 0) {
            throw new UsageException("option " + option + ": a positive number of bytes, with K, M or G"
                    + " for KiB, MiB or GiB, not " + t);
        }
        long n = Long.parseLong(number);
        if (n > Long.MAX_VALUE / unit) {
            throw new UsageException("option " + option + ": too large: " + t);
        }
        return OptionalLong.of(n * unit);
    }

    /** Returns whether {@code args} ask for the usage text. */
    static boolean wantsHelp(String... args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the syslog socket that {@code args} name, looked for on its own so that a usage
     * error elsewhere on the command line can still be logged where the administrator asked.
     */
    static Path syslogSocket(String... args) {
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--")) {
                break;
            } else if (args[i].startsWith("--syslog-socket=")) {
                value = args[i].substring("--syslog-socket=".length());
            } else if (args[i].equals("--syslog-socket") && i + 1 < args.length) {
                value = args[i + 1];
            }
            if (value != null && !value.isEmpty()) {
                try {
                    return Path.of(value);
                } catch (InvalidPathException e) {
                    break;
                }
            }
        }
        return CliOptions.DEFAULT_SYSLOG_SOCKET;
    }

    /**
     * Takes {@code -D} out of the arguments, counting it, and for {@code -DD} the listen address
     * too: the first argument after the token that holds the second {@code D}, after the argument
     * of an option in that same token.
     */
    static Normalised normalise(String... args) throws UsageException {
        List<String> out = new ArrayList<>();
        int daemons = 0;
        String listen = null;
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (optionsEnded || arg.equals("-") || !arg.startsWith("-")) {
                out.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                out.add(arg);
                continue;
            }
            if (arg.startsWith("--")) {
                out.add(arg);
                if (arg.indexOf('=') < 0 && LONG_WITH_ARGUMENT.contains(arg.substring(2)) && i + 1 < args.length) {
                    out.add(args[++i]);
                }
                continue;
            }
            int before = daemons;
            StringBuilder kept = new StringBuilder("-");
            boolean argumentFollows = false;
            for (int j = 1; j < arg.length(); j++) {
                char c = arg.charAt(j);
                if (c == 'D') {
                    daemons++;
                    continue;
                }
                kept.append(c);
                if (WITH_ARGUMENT.indexOf(c) >= 0) {
                    if (j + 1 < arg.length()) {
                        kept.append(arg, j + 1, arg.length());
                    } else {
                        argumentFollows = true;
                    }
                    break;
                }
            }
            if (kept.length() > 1) {
                out.add(kept.toString());
            }
            if (argumentFollows && i + 1 < args.length) {
                out.add(args[++i]);
            }
            if (before < 2 && daemons >= 2) {
                if (i + 1 >= args.length) {
                    throw new UsageException("-DD needs [interface:]port");
                }
                listen = args[++i];
            }
        }
        if (daemons > 2) {
            throw new UsageException("-D given " + daemons + " times; -D or -DD [interface:]port");
        }
        return new Normalised(List.copyOf(out), daemons, Optional.ofNullable(listen).orElse(""));
    }

    /**
     * The arguments as jopt-simple sees them, with {@code -D} counted and taken out.
     *
     * @param args    the remaining arguments
     * @param daemons how many times {@code -D} was given
     * @param listen  {@code -DD}'s argument, empty without it
     */
    record Normalised(List<String> args, int daemons, String listen) {}

    private static Duration timeout(Optional<String> text) throws UsageException {
        if (text.isEmpty()) {
            return CliOptions.DEFAULT_TIMEOUT;
        }
        return seconds(text.get(), "-t");
    }

    private static Duration seconds(String t, String option) throws UsageException {
        if (!Chars.digits(t, 9) || Long.parseLong(t) == 0 || Long.parseLong(t) > Integer.MAX_VALUE / 1000) {
            throw new UsageException("option " + option + ": timeout must be a number of seconds from 1 to "
                    + Integer.MAX_VALUE / 1000 + ": " + t);
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }

    private static Optional<Path> path(Optional<String> text, String option) throws UsageException {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.get().isEmpty()) {
            throw new UsageException("option " + option + " needs a path");
        }
        try {
            return Optional.of(Path.of(text.get()));
        } catch (InvalidPathException e) {
            throw new UsageException("option " + option + ": bad path " + text.get());
        }
    }

    private static Optional<String> value(OptionSet set, OptionSpec<String> spec) {
        return Optional.ofNullable(set.valueOf(spec));
    }

    private static String display(OptionSpec<?> spec) {
        String name = spec.options().get(0);
        return (name.length() == 1 ? "-" : "--") + name;
    }
}
