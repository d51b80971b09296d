package org.pop3proxy.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.engine.ListenOptions;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;
import org.pop3proxy.engine.SessionOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The {@code pop3.proxy} command: {@code pop3.proxy [options] server}, in inetd mode (one client
 * on stdin/stdout) or as a daemon ({@code -D}, {@code -DD [interface:]port}).
 */
public final class Main {
    private static final Duration FLUSH = Duration.ofSeconds(2);
    /** What a client greeted before the start failed is told; the reason goes to the log. */
    static final String UNAVAILABLE = "-ERR POP3 proxy not available";

    private Main() {}

    /**
     * Returns the log of this class. Looked up when used, not when the class loads: slf4j's
     * start (its provider, a regular expression, the process's first lambda) would otherwise come
     * before an inetd start's greeting.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(Main.class);
    }

    /** Runs the command and exits with its code. */
    public static void main(String[] args) {
        Optional<Path> ready = Optional.empty();
        String[] rest = args;
        if (args.length > 0 && args[0].startsWith(Detacher.CHILD_FLAG)) {
            ready = Optional.of(Path.of(args[0].substring(Detacher.CHILD_FLAG.length())));
            rest = Launch.drop(args, 1);
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.exit(run(rest, out, err, Launch.process(rest, ready)));
    }

    /**
     * Runs the command with {@code args} as this process's own, writing the usage text to
     * {@code out} and messages to {@code err}; returns the exit code: 0 for a clean end, 1 for an
     * error (or no server), 255 for a usage error.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Launch.process(args, Optional.empty()));
    }

    static int run(String[] args, PrintStream out, PrintStream err, Launch launch) {
        if (CommandLine.wantsHelp(args)) {
            out.println(CommandLine.USAGE);
            return 0;
        }
        CliOptions options;
        try {
            options = CommandLine.parse(args);
        } catch (UsageException e) {
            return usageError(e, args, err, launch);
        }

        // The original program answers at once; an inetd start that may greets as soon as its
        // command line has been read, before the log, the configuration, the change of user and
        // the session are set up (no client byte is read before those). A start that fails after
        // this tells the client -ERR (fail below) and the log why.
        boolean greeted = options.greetsAtOnce() && launch.stdioIsOneSocket()
                && write(launch.stdout(), ProxyConfig.DEFAULT_GREETING);
        if (options.debug()) {
            Logging.toStderr(err, Level.DEBUG);
        } else {
            Logging.toSyslog(options.syslogSocket(), Level.INFO);
        }
        try {
            Wiring.Wired wired;
            try {
                wired = Wiring.wire(options);
            } catch (UsageException e) {
                return fail(e.getMessage(), e.exitCode(), options, err, launch, greeted);
            } catch (StartupException e) {
                return fail(e.getMessage(), 1, options, err, launch, greeted);
            }
            // Nothing before this point prints; what comes next (JNA, the sessions) might.
            if (launch.guardStdio()) {
                StdioGuard.install(!options.debug());
            }
            Pop3Proxy proxy = Pop3Proxy.create(wired.config());
            if (!options.daemon()) {
                return serveInetd(proxy, wired.listen(), options, err, launch, greeted);
            }
            if (options.debug() || launch.readyFile().isPresent()) {
                return serveDaemon(proxy, wired.listen(), options, err, launch);
            }
            if (launch.relaunch().isEmpty()) {
                err.println("pop3.proxy: cannot detach here; use -d");
                return 1;
            }
            return Detacher.detach(launch.relaunch().get().get(), args, err);
        } finally {
            Logging.flush(FLUSH);
        }
    }

    /** Returns the inherited channel when it is a connected TCP socket, the usual inetd start. */
    private static Optional<SocketChannel> inetdSocket(Channel channel) {
        if (channel instanceof SocketChannel && localAddress((SocketChannel) channel) instanceof InetSocketAddress) {
            return Optional.of((SocketChannel) channel);
        }
        return Optional.empty();
    }

    /** Writes one reply line and CRLF; returns whether it went out. */
    private static boolean write(OutputStream out, String line) {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reports why the proxy cannot start: to the log, to the waiting parent of a detached daemon,
     * to a client already greeted (without the reason, which is for the log), and on stderr
     * unless that is the log ({@code -d}) or the client's socket (inetd).
     */
    private static int fail(String why, int exitCode, CliOptions options, PrintStream err, Launch launch,
                            boolean greeted) {
        if (greeted) {
            write(launch.stdout(), UNAVAILABLE);
        }
        return fail(why, exitCode, options, err, launch);
    }

    private static int fail(String why, int exitCode, CliOptions options, PrintStream err, Launch launch) {
        log().error(why);
        Detacher.report(launch.readyFile()).failure(why);
        if (!options.debug() && !launch.stderrIsSocket()) {
            err.println("pop3.proxy: " + why);
        }
        return exitCode;
    }

    /**
     * Loads what changing the user needs while still root; returns a reason when it cannot. A
     * process that is not root changes nothing (the manual's {@code -u} applies to root only).
     */
    private static Optional<String> prepareUserChange(CliOptions options, Launch launch) {
        if (!launch.users().isRoot()) {
            if (options.wasGiven("u")) {
                log().debug("not started as root: -u {} changes nothing", options.user());
            }
            return Optional.empty();
        }
        try {
            launch.users().load();
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of("cannot load libc to change the user to " + options.user() + ": " + e.getMessage());
        }
    }

    /**
     * Changes to {@code -u}'s user (default nobody) when started as root, then checks that the
     * directories the sessions write to are writable; returns a reason when the proxy must stop.
     */
    private static Optional<String> changeUser(CliOptions options, Launch launch) {
        if (launch.users().isRoot()) {
            Privileges.Outcome outcome = launch.users().drop(options.user());
            if (outcome instanceof Privileges.Failed failed) {
                return Optional.of("cannot run as " + options.user() + ": " + failed.message());
            }
            log().debug("running as {}: {}", options.user(), outcome);
        }
        if (options.virusScanning()) {
            Path spool = options.scanning().spoolDirectory().orElse(Path.of(System.getProperty("java.io.tmpdir")));
            if (!Files.isDirectory(spool) || !Files.isWritable(spool)) {
                return Optional.of("the spool directory " + spool + " is not a directory this process may write to"
                        + " (after changing to the -u user)");
            }
        }
        options.loginDirectory().ifPresent(dir -> {
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                log().warn("the login directory {} is not a directory this process may write to"
                        + " (after changing to the -u user): no login files will be written", dir);
            }
        });
        return Optional.empty();
    }

    /**
     * Reports a usage error. Under inetd stderr is the client's socket, where nothing but POP3
     * may go: then the message goes to syslog only. Anywhere else it goes to stderr.
     */
    private static int usageError(UsageException e, String[] args, PrintStream err, Launch launch) {
        if (launch.stderrIsSocket()) {
            Logging.toSyslog(CommandLine.syslogSocket(args), Level.INFO);
            Logging.log(Level.ERROR, "usage error: " + e.getMessage(), null);
            Logging.flush(FLUSH);
        } else {
            err.println("pop3.proxy: " + e.getMessage());
            if (e.exitCode() == UsageException.USAGE) {
                err.println("usage: pop3.proxy [options] server   (--help lists the options)");
            }
        }
        return e.exitCode();
    }

    private static int serveInetd(Pop3Proxy proxy, ListenOptions listen, CliOptions options, PrintStream err,
                                  Launch launch, boolean greeted) {
        Optional<String> cannot = prepareUserChange(options, launch).or(() -> changeUser(options, launch));
        if (cannot.isPresent()) {
            return fail(cannot.get(), 1, options, err, launch, greeted);
        }
        ListenOptions entry = greeted ? listen.withGreetingSent(true) : listen;
        Channel channel = launch.inheritedChannel().get();
        if (channel instanceof ServerSocketChannel) {
            log().error("stdin is a listening socket: configure inetd with nowait, or use -D");
            return 1;
        }
        Optional<SocketChannel> socket = inetdSocket(channel);
        if (socket.isPresent()) {
            return proxy.serve(socket.get().socket(), entry).exitCode();
        }
        if (listen.implicitTls() || listen.proxyProtocol().isPresent()) {
            log().error("--pop3s and --proxy-protocol need a TCP socket on stdin, not a pipe");
            return 1;
        }
        // A pipe or a Unix socket has no SO_TIMEOUT: a read stuck past -t (or the AUTHORIZATION
        // deadline) ends the process, which closes the upstream without a QUIT.
        SessionOutcome outcome = proxy.serve(launch.stdin(), launch.stdout(), clientFromEnvironment(launch.env()),
                () -> {
                    log().warn("client timed out on a non-socket stdin, exiting");
                    Logging.flush(Duration.ofSeconds(1));
                    Runtime.getRuntime().halt(1);
                }, entry);
        return outcome.exitCode();
    }

    private static SocketAddress localAddress(SocketChannel socket) {
        try {
            return socket.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Returns the addresses a superserver that does not pass a socket puts in the environment
     * (ucspi-tcp's {@code TCPREMOTEIP}, {@code TCPLOCALIP}, {@code TCPLOCALPORT}), 127.0.0.1 where
     * it does not.
     */
    static ClientInfo clientFromEnvironment(Map<String, String> env) {
        InetAddress remote = ip(env.get("TCPREMOTEIP"));
        InetAddress local = ip(env.get("TCPLOCALIP"));
        return new ClientInfo(new InetSocketAddress(local, port(env.get("TCPLOCALPORT"))),
                new InetSocketAddress(remote, port(env.get("TCPREMOTEPORT"))));
    }

    private static InetAddress ip(String text) {
        if (text != null) {
            try {
                return Endpoints.ipNumber(text, "address");
            } catch (UsageException notAnIpNumber) {
                log().warn("ignoring a bad address in the environment: {}", Logging.clean(text));
            }
        }
        return InetAddress.getLoopbackAddress().getAddress().length == 4
                ? InetAddress.getLoopbackAddress() : loopback4();
    }

    private static InetAddress loopback4() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static int port(String text) {
        if (text != null && text.matches("[0-9]{1,5}") && Integer.parseInt(text) <= 65535) {
            return Integer.parseInt(text);
        }
        return 0;
    }

    private static int serveDaemon(Pop3Proxy proxy, ListenOptions listen, CliOptions options, PrintStream err,
                                   Launch launch) {
        // Opened while still root: the waiting parent's directory is not writable by -u's user.
        Detacher.Report report = Detacher.report(launch.readyFile());
        Optional<String> cannotChange = prepareUserChange(options, launch);
        if (cannotChange.isPresent()) {
            return daemonFails(cannotChange.get(), options, err, report);
        }
        InetSocketAddress address = options.listenAddress().orElseThrow();
        ProxyServer server;
        try {
            server = proxy.bind(address, listen);
        } catch (IOException e) {
            return daemonFails("cannot listen on " + text(address) + ": " + e.getMessage(), options, err, report);
        }
        long pid = ProcessHandle.current().pid();
        if (options.pidFile().isPresent() && !writePid(options.pidFile().get(), pid)) {
            closeQuietly(server);
            return daemonFails("cannot write the pid file " + options.pidFile().get(), options, err, report);
        }
        Optional<String> cannotRun = changeUser(options, launch);
        if (cannotRun.isPresent()) {
            closeQuietly(server);
            options.pidFile().ifPresent(file -> removePid(file, pid));
            return daemonFails(cannotRun.get(), options, err, report);
        }
        launch.onStopSignal().accept(() -> {
            log().info("stopping on a signal");
            closeQuietly(server);
        });
        launch.onReloadSignal().accept(() -> Wiring.reloadTls(proxy.config()));
        server.start();
        log().info("listening on {} (pid {})", text(server.localAddress()), pid);
        report.ready();
        try {
            server.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(server);
        }
        options.pidFile().ifPresent(file -> removePid(file, pid));
        log().info("stopped");
        return 0;
    }

    private static int daemonFails(String why, CliOptions options, PrintStream err, Detacher.Report report) {
        log().error(why);
        report.failure(why);
        if (!options.debug()) {
            err.println("pop3.proxy: " + why);
        }
        return 1;
    }

    static boolean writePid(Path file, long pid) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            // Still root here, in a directory the -u user may write: never follow a link it
            // planted (CREATE_NEW is O_EXCL, which does not follow one).
            Files.deleteIfExists(tmp);
            Files.write(tmp, (pid + "\n").getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void removePid(Path file, long pid) {
        try {
            if (Files.readString(file, StandardCharsets.US_ASCII).trim().equals(Long.toString(pid))) {
                Files.delete(file);
            }
        } catch (IOException e) {
            log().warn("cannot remove the pid file {} (with -u, only if that user may write its directory): {}",
                    file, e.toString());
        }
    }

    private static void closeQuietly(ProxyServer server) {
        try {
            server.close();
        } catch (IOException e) {
            log().warn("closing the listener: {}", e.toString());
        }
    }

    private static String text(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
