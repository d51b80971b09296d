package org.pop3proxy.engine.defaults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * Gives tests a real clamd. Uses {@code POP3PROXY_CLAMD_PORT} when set; otherwise runs
 * {@code .ci/clamd.sh} once per JVM (a private clamd that detects only EICAR) and stops it when
 * the test run ends. Without clamd the tests are skipped, or fail when
 * {@code POP3PROXY_REQUIRE_CLAMD} is set (CI sets it, so a broken install cannot pass silently).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ClamdExtension CLAMD = new ClamdExtension();
 * ... CLAMD.scanner().build().scan(path) ...
 * }</pre>
 */
public final class ClamdExtension implements BeforeAllCallback {
    private static final Object LOCK = new Object();
    private static Clamd running;

    private Clamd clamd;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (LOCK) {
            if (running == null) {
                running = start();
                // The root store closes AutoCloseable values when the whole test run ends.
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(ClamdExtension.class, running);
            }
            clamd = running;
        }
    }

    /** Returns clamd's TCP port on 127.0.0.1. */
    public int port() {
        return clamd.port;
    }

    /** Returns clamd's Unix socket, when the script could give it one. */
    public Optional<Path> unixSocket() {
        return clamd.socket;
    }

    /** Returns a builder for a scanner talking to this clamd over TCP, limited to 100 MiB. */
    public ClamdScanner.Builder scanner() {
        return ClamdScanner.builder()
                .tcp("127.0.0.1", clamd.port)
                .maxSize(100L * 1024 * 1024)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(60))
                .totalTimeout(Duration.ofSeconds(120));
    }

    private static Clamd start() throws IOException, InterruptedException {
        String env = System.getenv("POP3PROXY_CLAMD_PORT");
        if (env != null && !env.isBlank()) {
            return new Clamd(Integer.parseInt(env.strip()), Optional.empty(), Optional.empty(), Optional.empty());
        }
        Path script = findScript();
        if (!clamdInstalled()) {
            unavailable("clamd is not installed (apt-get install clamav-daemon, or run .ci/clamd.sh)");
        }
        Path state = Files.createTempDirectory("pop3proxy-clamd");
        Process p = new ProcessBuilder("bash", script.toString(), state.toString())
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(".ci/clamd.sh failed:\n" + output);
        }
        int port = Integer.parseInt(Files.readString(state.resolve("clamd.port")).strip());
        long pid = Long.parseLong(Files.readString(state.resolve("clamd.pid")).strip());
        Path socket = state.resolve("clamd.sock");
        return new Clamd(port, Files.exists(socket) ? Optional.of(socket) : Optional.empty(),
                ProcessHandle.of(pid), Optional.of(state));
    }

    private static boolean clamdInstalled() {
        if (Files.isExecutable(Path.of("/usr/sbin/clamd"))) {
            return true;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "clamd"))) {
                return true;
            }
        }
        return false;
    }

    private static Path findScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve(".ci/clamd.sh");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        unavailable(".ci/clamd.sh not found above " + Path.of("").toAbsolutePath());
        throw new AssertionError("unreachable");
    }

    private static void unavailable(String why) {
        if (System.getenv("POP3PROXY_REQUIRE_CLAMD") != null) {
            throw new IllegalStateException(why);
        }
        throw new TestAbortedException(why);
    }

    /** A running clamd; stops it, if this JVM started it, when closed. */
    private static final class Clamd implements AutoCloseable {
        final int port;
        final Optional<Path> socket;
        final Optional<ProcessHandle> process;
        final Optional<Path> state;

        Clamd(int port, Optional<Path> socket, Optional<ProcessHandle> process, Optional<Path> state) {
            this.port = port;
            this.socket = socket;
            this.process = process;
            this.state = state;
        }

        @Override
        public void close() throws Exception {
            if (process.isPresent()) {
                ProcessHandle h = process.get();
                h.destroy();
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    h.destroyForcibly();
                }
            }
            if (state.isPresent()) {
                try (Stream<Path> files = Files.walk(state.get())) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
