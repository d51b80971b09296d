package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the real launcher, {@code bin/pop3.proxy}, as inetd or a shell would. */
final class Launcher {
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    private Launcher() {}

    static Path root() {
        return Path.of(System.getProperty("pop3proxy.root", "..")).toAbsolutePath().normalize();
    }

    static Path script() {
        return root().resolve("bin/pop3.proxy");
    }

    /** Returns the JDKs to run the launcher on: the one running the tests, and 25 where installed. */
    static Stream<Path> jdks() {
        Path current = Path.of(System.getProperty("java.home"));
        return Files.isExecutable(JDK25.resolve("bin/java")) && !current.equals(JDK25)
                ? Stream.of(current, JDK25) : Stream.of(current);
    }

    /** Returns a process builder for the launcher, started from an unrelated directory. */
    static ProcessBuilder command(Path javaHome, Path workDir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script().toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        return pb;
    }

    /**
     * Starts the launcher the way inetd does: python's socket_stdio.py accepts one connection and
     * execs the launcher with that socket as fd 0, 1 and 2.
     */
    static Inetd inetd(Path javaHome, Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("python3", helper().toString(), script().toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectError(workDir.resolve("helper.err").toFile());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String port = out.readLine();
        assertTrue(port != null && port.matches("[0-9]+"), "helper printed no port: " + port);
        return new Inetd(p, Integer.parseInt(port));
    }

    private static Path helper() {
        try {
            return Path.of(Launcher.class.getResource("socket_stdio.py").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs a command to its end and returns its exit code and output. */
    static Result run(List<String> cmd, Path workDir) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".bin");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not end within 60 s");
        }
        return new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    }

    /** The launcher started by the fake inetd. */
    record Inetd(Process process, int port) {
        /** Waits for the launcher's exit code. */
        int exitCode() throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the inetd-mode proxy did not exit within 30 s");
            }
            return process.exitValue();
        }
    }

    /** A finished command. */
    record Result(int exitCode, byte[] out, String err) {}
}
