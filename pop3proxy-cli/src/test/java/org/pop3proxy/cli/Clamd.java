package org.pop3proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * A private clamd for the launcher tests, started by {@code .ci/clamd.sh} (a one-line database
 * that detects only EICAR, no network). {@code POP3PROXY_CLAMD_PORT} names a running one instead.
 * Without clamd the tests are skipped, unless {@code POP3PROXY_REQUIRE_CLAMD} is set (CI).
 */
final class Clamd implements AutoCloseable {
    private final int port;
    private final Optional<ProcessHandle> process;
    private final Optional<Path> state;

    private Clamd(int port, Optional<ProcessHandle> process, Optional<Path> state) {
        this.port = port;
        this.process = process;
        this.state = state;
    }

    static Clamd start() throws Exception {
        String env = System.getenv("POP3PROXY_CLAMD_PORT");
        if (env != null && !env.isBlank()) {
            return new Clamd(Integer.parseInt(env.strip()), Optional.empty(), Optional.empty());
        }
        Path script = Launcher.root().resolve(".ci/clamd.sh");
        if (!Files.isRegularFile(script)) {
            unavailable(script + " not found");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/clamd"))) {
            unavailable("clamd is not installed (apt-get install clamav-daemon)");
        }
        // clamd.sh picks a free port, but another process may take it first; clamd then only logs
        // "Cannot bind" and keeps running without TCP, so the script waits in vain: try again.
        String failures = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            Path dir = Files.createTempDirectory("pop3proxy-cli-clamd");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), dir.toString()).redirectErrorStream(true);
            pb.environment().putIfAbsent("CLAMD_START_TIMEOUT", "60");
            Process p = pb.start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0) {
                int port = Integer.parseInt(Files.readString(dir.resolve("clamd.port")).strip());
                long pid = Long.parseLong(Files.readString(dir.resolve("clamd.pid")).strip());
                return new Clamd(port, ProcessHandle.of(pid), Optional.of(dir));
            }
            p.destroyForcibly();
            failures += "attempt " + attempt + ":\n" + output;
            new Clamd(0, Optional.empty(), Optional.of(dir)).close();
        }
        throw new IllegalStateException(".ci/clamd.sh failed:\n" + failures);
    }

    private static void unavailable(String why) {
        if (System.getenv("POP3PROXY_REQUIRE_CLAMD") != null) {
            throw new IllegalStateException(why);
        }
        throw new TestAbortedException(why);
    }

    int port() {
        return port;
    }

    /** Returns the 68-byte EICAR test string, built from parts so that no source file matches. */
    static String eicar() {
        return "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*";
    }

    @Override
    public void close() throws Exception {
        if (process.isPresent()) {
            process.get().destroy();
            try {
                process.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                process.get().destroyForcibly();
            }
        }
        if (state.isPresent()) {
            try (Stream<Path> files = Files.walk(state.get())) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
