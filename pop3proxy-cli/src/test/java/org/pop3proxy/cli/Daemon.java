package org.pop3proxy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon started through the real launcher in the foreground ({@code -d -DD 127.0.0.1:0}),
 * its log in a file; the port is the one its log reports.
 */
final class Daemon implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+) \\(pid ([0-9]+)\\)");

    private final Process process;
    private final Path log;
    private final int port;

    private Daemon(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code bin/pop3.proxy -d -DD 127.0.0.1:0 args...} and waits until it listens. */
    static Daemon start(Path dir, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("-d", "-DD", "127.0.0.1:0"));
        all.addAll(Arrays.asList(args));
        Path log = Files.createTempFile(dir, "daemon", ".log");
        Process p = Launcher.command(Launcher.jdks().findFirst().orElseThrow(), dir, all.toArray(new String[0]))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile()).start();
        try {
            Matcher m = await(log, LISTENING, p);
            return new Daemon(p, log, Integer.parseInt(m.group(1)));
        } catch (AssertionError | IOException | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Returns the daemon's log so far. */
    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits for a log line matching {@code pattern}. */
    Matcher await(Pattern pattern) throws IOException, InterruptedException {
        return await(log, pattern, process);
    }

    /**
     * Waits (polling, 30 s at most) for a line of {@code log} to match; fails at once when the
     * process has exited without writing it.
     */
    static Matcher await(Path log, Pattern pattern, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String seen = "";
        while (System.nanoTime() < deadline) {
            boolean ended = !process.isAlive();
            seen = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = pattern.matcher(seen);
            if (m.find()) {
                return m;
            }
            if (ended) {
                throw new AssertionError("exited with " + process.exitValue() + " before " + pattern + ":\n" + seen);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line matching " + pattern + " in:\n" + seen);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
