package org.pop3proxy.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Puts a daemon into the background the JVM's way, since it cannot fork: starts the same command
 * again with a ready file, stdio on /dev/null and, through setsid(1), in a session of its own,
 * then waits until that child reports that it listens (exit 0) or that it cannot (exit 1).
 */
final class Detacher {
    /** The first argument that marks the detached child; never typed by a user. */
    static final String CHILD_FLAG = "--detached-child=";
    /** How long the child may take to start and bind. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final String READY = "ready";
    private static final String FAILED = "failed ";

    private Detacher() {}

    /**
     * Returns the command line of this JVM without the program's own {@code args}: the java
     * executable, its options and {@code -jar} or the main class. Falls back to this JVM's
     * executable, class path and main class when the process's arguments cannot be read.
     */
    static List<String> relaunchCommand(String[] args) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> command = info.command();
        Optional<String[]> all = info.arguments();
        if (command.isPresent() && all.isPresent() && all.get().length >= args.length) {
            String[] a = all.get();
            int head = a.length - args.length;
            if (Arrays.equals(a, head, a.length, args, 0, args.length)) {
                List<String> cmd = new ArrayList<>();
                cmd.add(command.get());
                Collections.addAll(cmd, Arrays.copyOf(a, head));
                return cmd;
            }
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    /** Starts the child and returns 0 once it listens, 1 if it cannot. */
    static int detach(List<String> relaunch, String[] args, PrintStream err) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("pop3proxy-detach");
            Path ready = dir.resolve("ready");
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(SETSID)) {
                cmd.add(SETSID.toString());
            }
            cmd.addAll(relaunch);
            cmd.add(CHILD_FLAG + ready);
            Collections.addAll(cmd, args);
            Process child = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<String> report = read(ready);
                if (report.isPresent()) {
                    if (report.get().startsWith(READY)) {
                        return 0;
                    }
                    err.println("pop3.proxy: " + report.get().substring(FAILED.length()).trim());
                    return 1;
                }
                if (!child.isAlive()) {
                    if (read(ready).isEmpty()) {
                        err.println("pop3.proxy: the daemon exited with " + child.exitValue() + " before listening");
                        return 1;
                    }
                    continue;
                }
                Thread.sleep(20);
            }
            child.destroy();
            err.println("pop3.proxy: the daemon did not report within " + READY_TIMEOUT.toSeconds() + " s");
            return 1;
        } catch (IOException e) {
            err.println("pop3.proxy: cannot start the daemon: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("ready"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // A temp directory left behind is harmless.
                }
            }
        }
    }

    /** Tells the waiting parent that the child listens. */
    static void reportReady(Path ready) {
        write(ready, READY + "\n");
    }

    /** Tells the waiting parent why the child cannot serve. */
    static void reportFailure(Path ready, String why) {
        write(ready, FAILED + why + "\n");
    }

    private static void write(Path ready, String text) {
        try {
            Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // The parent then sees the child alive without a report and times out, or sees it exit.
        }
    }

    private static Optional<String> read(Path ready) throws IOException {
        if (!Files.exists(ready)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(ready, StandardCharsets.UTF_8));
    }
}
