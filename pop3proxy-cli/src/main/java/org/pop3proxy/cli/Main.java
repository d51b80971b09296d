package org.pop3proxy.cli;

import java.io.IOException;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerSelector;
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
    /** The options that later work implements; until then they are refused. */
    static final List<String> NOT_YET_IMPLEMENTED = List.of("a", "c", "e", "l", "q", "s", "u", "v", "z");

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Duration FLUSH = Duration.ofSeconds(2);

    private Main() {}

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
            List<String> refused = NOT_YET_IMPLEMENTED.stream().filter(options::wasGiven).collect(Collectors.toList());
            if (!refused.isEmpty()) {
                throw new UsageException((refused.size() == 1 ? "option " : "options ")
                        + refused.stream().map(o -> "-" + o).collect(Collectors.joining(", "))
                        + (refused.size() == 1 ? " is" : " are") + " not implemented yet");
            }
        } catch (UsageException e) {
            return usageError(e, args, err, launch);
        }

        if (launch.guardStdio()) {
            StdioGuard.install(!options.debug());
        }
        if (options.debug()) {
            Logging.toStderr(err, Level.DEBUG);
        } else {
            Logging.toSyslog(options.syslogSocket(), Level.INFO);
        }
        try {
            Pop3Proxy proxy = Pop3Proxy.create(config(options));
            if (!options.daemon()) {
                return serveInetd(proxy, launch);
            }
            if (options.debug() || launch.readyFile().isPresent()) {
                return serveDaemon(proxy, options, err, launch);
            }
            if (launch.relaunch().isEmpty()) {
                err.println("pop3.proxy: cannot detach here; use -d");
                return 1;
            }
            return Detacher.detach(launch.relaunch().get(), args, err);
        } finally {
            Logging.flush(FLUSH);
        }
    }

    /** Builds the engine's configuration from the options implemented so far. */
    static ProxyConfig config(CliOptions options) {
        ServerSelector selector = options.server()
                .map(ServerSelector::fixed)
                .orElse((client, login) -> Selection.reject("no server: the command line says -"));
        return ProxyConfig.builder(selector)
                .timeout(options.timeout())
                .quiet(options.quiet())
                .build();
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

    private static int serveInetd(Pop3Proxy proxy, Launch launch) {
        Channel channel = launch.inheritedChannel().get();
        if (channel instanceof ServerSocketChannel) {
            LOG.error("stdin is a listening socket: configure inetd with nowait, or use -D");
            return 1;
        }
        if (channel instanceof SocketChannel) {
            SocketChannel socket = (SocketChannel) channel;
            if (localAddress(socket) instanceof InetSocketAddress) {
                return proxy.serve(socket.socket()).exitCode();
            }
        }
        SessionOutcome outcome = proxy.serve(launch.stdin(), launch.stdout(), clientFromEnvironment(launch.env()));
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
                LOG.warn("ignoring a bad address in the environment: {}", Logging.clean(text));
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

    private static int serveDaemon(Pop3Proxy proxy, CliOptions options, PrintStream err, Launch launch) {
        InetSocketAddress address = options.listenAddress().orElseThrow();
        ProxyServer server;
        try {
            server = proxy.bind(address);
        } catch (IOException e) {
            String why = "cannot listen on " + text(address) + ": " + e.getMessage();
            LOG.error(why);
            launch.readyFile().ifPresent(ready -> Detacher.reportFailure(ready, why));
            if (!options.debug()) {
                err.println("pop3.proxy: " + why);
            }
            return 1;
        }
        long pid = ProcessHandle.current().pid();
        if (options.pidFile().isPresent() && !writePid(options.pidFile().get(), pid)) {
            String why = "cannot write the pid file " + options.pidFile().get();
            LOG.error(why);
            launch.readyFile().ifPresent(ready -> Detacher.reportFailure(ready, why));
            closeQuietly(server);
            return 1;
        }
        launch.onStopSignal().accept(() -> {
            LOG.info("stopping on a signal");
            closeQuietly(server);
        });
        server.start();
        LOG.info("listening on {} (pid {})", text(server.localAddress()), pid);
        launch.readyFile().ifPresent(Detacher::reportReady);
        try {
            server.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(server);
        }
        options.pidFile().ifPresent(file -> removePid(file, pid));
        LOG.info("stopped");
        return 0;
    }

    private static boolean writePid(Path file, long pid) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
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
            LOG.warn("cannot remove the pid file {}: {}", file, e.toString());
        }
    }

    private static void closeQuietly(ProxyServer server) {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the listener: {}", e.toString());
        }
    }

    private static String text(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
