package org.pop3proxy.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the process was started with, beyond its arguments: its standard streams, its
 * environment, how it stops and how it can start itself again. {@link #process} describes the real
 * process; tests build their own.
 *
 * @param inheritedChannel the channel on stdin ({@link System#inheritedChannel()}), or null
 * @param stdin            the client's bytes in inetd mode when stdin is not a socket
 * @param stdout           where the POP3 replies go in inetd mode when stdin is not a socket
 * @param env              the environment ({@code TCPREMOTEIP} and friends)
 * @param stdioIsOneSocket whether stdin and stdout are one connected socket, as inetd passes it, so
 *                         that the greeting can be written to {@code stdout} before the channel is set up
 * @param stderrIsSocket   whether stderr may be the client's socket, so nothing may be written there
 * @param guardStdio       whether stray output to System.out/err and java.util.logging goes to the log
 * @param onStopSignal     registers what SIGTERM (and SIGINT) should run
 * @param onReloadSignal   registers what SIGHUP should run
 * @param users            whether the process is root, and how it changes its user
 * @param relaunch         makes the command that starts this program again, for detaching (only
 *                         a detaching daemon needs it, so it is not worked out for an inetd start)
 * @param readyFile        where a detached daemon reports that it listens (set for the child only)
 */
record Launch(Supplier<Channel> inheritedChannel, InputStream stdin, OutputStream stdout, Map<String, String> env,
              boolean stdioIsOneSocket, boolean stderrIsSocket, boolean guardStdio, Consumer<Runnable> onStopSignal,
              Consumer<Runnable> onReloadSignal, UserSwitch users, Optional<Supplier<List<String>>> relaunch,
              Optional<Path> readyFile) {

    /** Changes the process's user (the manual's {@code -u}); {@link #REAL} does it through libc. */
    interface UserSwitch {
        /** The real process: {@link Privileges}. */
        UserSwitch REAL = new UserSwitch() {
            @Override
            public boolean isRoot() {
                return Privileges.isRoot();
            }

            @Override
            public void load() {
                Privileges.load();
            }

            @Override
            public Privileges.Outcome drop(String user) {
                return Privileges.drop(user);
            }
        };

        /** Returns whether the process runs as root, so that it must change its user. */
        boolean isRoot();

        /** Loads what {@link #drop} needs while the process may still read everything. */
        void load();

        /** Changes to {@code user}; see {@link Privileges#drop}. */
        Privileges.Outcome drop(String user);
    }

    Launch {
        Objects.requireNonNull(inheritedChannel, "inheritedChannel");
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        env = Map.copyOf(env);
        Objects.requireNonNull(onStopSignal, "onStopSignal");
        Objects.requireNonNull(onReloadSignal, "onReloadSignal");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(relaunch, "relaunch");
        Objects.requireNonNull(readyFile, "readyFile");
    }

    /**
     * Describes this JVM's process, started with {@code args} (the ready file already taken out).
     * An inetd start runs this before its greeting, so it uses no lambda or method reference: the
     * first one in a process brings up {@code java.lang.invoke}, which costs more than the rest of
     * the command line's reading.
     */
    static Launch process(String[] args, Optional<Path> readyFile) {
        Supplier<Channel> channel = new Supplier<>() {
            @Override
            public Channel get() {
                return systemChannel();
            }
        };
        Consumer<Runnable> onStop = new Consumer<>() {
            @Override
            public void accept(Runnable action) {
                Signals.onStop(action);
            }
        };
        Consumer<Runnable> onHangup = new Consumer<>() {
            @Override
            public void accept(Runnable action) {
                Signals.onHangup(action);
            }
        };
        Supplier<List<String>> relaunch = new Supplier<>() {
            @Override
            public List<String> get() {
                return Detacher.relaunchCommand(args);
            }
        };
        return new Launch(channel, new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                System.getenv(), detectOneSocket(), detectStderrSocket(), true, onStop, onHangup, UserSwitch.REAL,
                Optional.of(relaunch), readyFile);
    }

    private static Channel systemChannel() {
        try {
            return System.inheritedChannel();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Tells whether fds 0 and 1 are the same socket, as under inetd: Linux names it in /proc
     * ({@code socket:[inode]}), which costs far less than setting up the inherited channel.
     * Elsewhere the answer is no, and the greeting waits for the channel.
     */
    private static boolean detectOneSocket() {
        Optional<String> in = fdTarget(0);
        return in.isPresent() && in.get().startsWith("socket:") && in.equals(fdTarget(1));
    }

    /**
     * Tells whether fd 2 is a socket, as it is under inetd. Linux says so in /proc; elsewhere a
     * socket on stdin is taken to mean that stderr is one too.
     */
    private static boolean detectStderrSocket() {
        Optional<String> err = fdTarget(2);
        return err.isPresent() ? err.get().startsWith("socket:") : systemChannel() != null;
    }

    /** Returns what {@code /proc/self/fd/N} points to, where there is such a thing (Linux). */
    private static Optional<String> fdTarget(int fd) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Returns {@code args} without its first {@code n} elements. */
    static String[] drop(String[] args, int n) {
        return Arrays.copyOfRange(args, n, args.length);
    }
}
