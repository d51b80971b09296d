package org.pop3proxy.engine.defaults;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.pop3proxy.api.AccessController;
import org.pop3proxy.api.AccessDecision;
import org.pop3proxy.api.AccessRequest;
import org.pop3proxy.engine.internal.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an external access control program, as the manual's {@code -a} and {@code -v} options do.
 *
 * <p>The program is run directly, without a shell, with argv the {@code -a} string split on
 * blanks, stdin {@code /dev/null}, and an environment of exactly {@code PATH} plus the prefixed
 * (default {@code PROXY_}) {@code INTERFACE PORT CLIENT SERVER SERVERPORT SERVERLOGIN USERNAME
 * PASSWD}; absent values are empty. Values are data: they reach the program only through the
 * environment and are never interpreted by the proxy. A value holding NUL or longer than
 * {@value #MAX_VALUE_BYTES} bytes denies without running anything. The child inherits no other
 * descriptor: the JDK's launcher closes every descriptor above 2 in the child before exec.
 *
 * <p>Exit 0 grants; its stdout is logged, never sent. Any other exit (a signal shows as
 * 128 + its number), a program that cannot be started, or one still running at the timeout
 * (then it and its children are killed) denies. On a denial by exit status, the stdout lines
 * beginning with {@code -ERR} become the client's lines (their text reduced to printable ASCII,
 * {@value #MAX_CLIENT_BYTES} bytes on the wire at most); without such lines the engine sends its
 * own {@code -ERR}. stderr goes to the log line by line, capped. Both streams are drained
 * concurrently and bounded. The password is put in the environment only, never in a log line;
 * program output that echoes it is masked before logging.
 *
 * <p>Immutable and safe for concurrent use; {@link #check} never throws.
 */
public final class ProgramAccessController implements AccessController {
    /** The manual's variable prefix. */
    public static final String DEFAULT_PREFIX = "PROXY_";
    /** The longest environment value passed; longer ones deny. */
    public static final int MAX_VALUE_BYTES = 1024;
    /** The most that a denial relays to the client, counting {@code -ERR } and CRLF per line. */
    public static final int MAX_CLIENT_BYTES = 512;

    static final int MAX_STDOUT_BYTES = 16 * 1024;
    static final int MAX_STDERR_BYTES = 16 * 1024;
    static final int MAX_LOG_LINES = 40;
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(ProgramAccessController.class);

    private final List<String> command;
    private final String prefix;
    private final Duration timeout;
    private final String path;

    private ProgramAccessController(Builder b) {
        this.command = b.command;
        this.prefix = b.prefix;
        this.timeout = b.timeout;
        this.path = b.path;
    }

    /**
     * Returns a builder for the program {@code commandLine} (the manual's {@code -a} string:
     * program path and arguments separated by blanks).
     *
     * @throws IllegalArgumentException if {@code commandLine} holds no program
     */
    public static Builder builder(String commandLine) {
        return new Builder(commandLine);
    }

    @Override
    public AccessDecision check(AccessRequest request) {
        try {
            return run(request);
        } catch (RuntimeException e) {
            LOG.warn("access control program failed: {}", e.toString());
            return AccessDecision.deny("access control program failed: " + e.getClass().getSimpleName());
        }
    }

    /** Returns the environment for {@code request}: PATH and the prefixed variables, in order. */
    Map<String, String> environment(AccessRequest request) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", path);
        env.put(prefix + "INTERFACE", request.client().interfaceAddress());
        env.put(prefix + "PORT", Integer.toString(request.client().local().getPort()));
        env.put(prefix + "CLIENT", request.client().clientAddress());
        env.put(prefix + "SERVER", request.server().host());
        env.put(prefix + "SERVERPORT", Integer.toString(request.server().port()));
        env.put(prefix + "SERVERLOGIN", request.serverLogin());
        env.put(prefix + "USERNAME", request.proxyUser());
        env.put(prefix + "PASSWD", request.proxyPassword());
        return env;
    }

    private AccessDecision run(AccessRequest request) {
        Map<String, String> env = environment(request);
        for (Map.Entry<String, String> e : env.entrySet()) {
            String value = e.getValue();
            if (value.indexOf('\0') >= 0) {
                return AccessDecision.deny("access control program not run: " + e.getKey() + " holds NUL");
            }
            if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
                return AccessDecision.deny("access control program not run: " + e.getKey()
                        + " longer than " + MAX_VALUE_BYTES + " bytes");
            }
        }
        try (OutputCapture out = OutputCapture.create(MAX_STDOUT_BYTES);
             OutputCapture err = OutputCapture.create(MAX_STDERR_BYTES)) {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.file())
                    .redirectError(err.file());
            pb.environment().clear();
            pb.environment().putAll(env);
            return decide(pb, out, err, request.proxyPassword());
        } catch (IOException e) {
            LOG.warn("cannot capture the access control program's output: {}", e.getMessage());
            return AccessDecision.deny("access control program cannot be run");
        }
    }

    private AccessDecision decide(ProcessBuilder pb, OutputCapture out, OutputCapture err, String secret) {
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            LOG.warn("cannot run access control program {}: {}", command.get(0), e.getMessage());
            return AccessDecision.deny("access control program cannot be run");
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                logStderr(err, secret);
                return AccessDecision.deny("access control program killed after timeout " + timeout);
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return AccessDecision.deny("interrupted while waiting for the access control program");
        }
        logStderr(err, secret);
        int status = process.exitValue();
        List<String> stdout = lines(out.bytes());
        if (status == 0) {
            for (String line : stdout.subList(0, Math.min(stdout.size(), MAX_LOG_LINES))) {
                LOG.info("access control program said: {}", forLog(line, secret));
            }
            return AccessDecision.allow();
        }
        String how = status > 128 ? "exit " + status + " (signal " + (status - 128) + "?)" : "exit " + status;
        return AccessDecision.deny("access control program denied: " + how, clientLines(stdout));
    }

    /** Kills the program and every process it started that is still its descendant, and reaps it. */
    private static void kill(Process process) {
        List<ProcessHandle> children = new ArrayList<>();
        process.descendants().forEach(children::add);
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.waitFor(DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("access control program did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void logStderr(OutputCapture err, String secret) {
        List<String> lines = lines(err.bytes());
        int n = 0;
        for (String line : lines) {
            if (n++ == MAX_LOG_LINES) {
                LOG.info("access control program stderr: ({} more lines not logged)", lines.size() - MAX_LOG_LINES);
                break;
            }
            LOG.info("access control program stderr: {}", forLog(line, secret));
        }
        if (err.truncated()) {
            LOG.info("access control program stderr: (cut at {} bytes)", MAX_STDERR_BYTES);
        }
    }

    /** Splits {@code bytes} into lines at LF, a CR before it dropped; no empty last line. */
    static List<String> lines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        return lines;
    }

    /**
     * Returns the texts, without {@code -ERR}, of the lines starting with {@code -ERR}, reduced to
     * printable ASCII, within {@link #MAX_CLIENT_BYTES} on the wire; lines with no text are dropped.
     */
    static List<String> clientLines(List<String> stdout) {
        List<String> out = new ArrayList<>();
        int budget = MAX_CLIENT_BYTES;
        for (String line : stdout) {
            if (line.length() < 4 || !line.regionMatches(true, 0, "-ERR", 0, 4)
                    || (line.length() > 4 && line.charAt(4) != ' ' && line.charAt(4) != '\t')) {
                continue;
            }
            String text = LogText.printable(line.substring(4).strip()).strip();
            if (text.isEmpty()) {
                continue;
            }
            int room = budget - "-ERR \r\n".length();
            if (room <= 0) {
                break;
            }
            if (text.length() > room) {
                text = text.substring(0, room).strip();
            }
            out.add(text);
            budget -= "-ERR \r\n".length() + text.length();
        }
        return out;
    }

    /** Returns {@code line} masked of {@code secret}, made safe for a log line. */
    static String forLog(String line, String secret) {
        return LogText.escape(secret.isEmpty() ? line : line.replace(secret, "***"));
    }

    @Override
    public String toString() {
        return "ProgramAccessController[" + String.join(" ", command) + ", prefix=" + prefix
                + ", timeout=" + timeout + "]";
    }

    /** Builds {@link ProgramAccessController}s. Not thread-safe. */
    public static final class Builder {
        private final List<String> command;
        private String prefix = DEFAULT_PREFIX;
        private Duration timeout = Duration.ofSeconds(600);
        private String path;

        private Builder(String commandLine) {
            Objects.requireNonNull(commandLine, "commandLine");
            String trimmed = commandLine.strip();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("commandLine: no program");
            }
            if (trimmed.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("commandLine: holds NUL");
            }
            this.command = List.of(trimmed.split("[ \t]+"));
            String inherited = System.getenv("PATH");
            this.path = inherited != null && !inherited.isEmpty() && inherited.indexOf('\0') < 0
                    ? inherited : DEFAULT_PATH;
        }

        /**
         * Sets the variable prefix (the manual's {@code -v}), used literally; may be empty.
         *
         * @throws IllegalArgumentException if {@code prefix} holds {@code =}, NUL or a blank
         */
        public Builder variablePrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            for (int i = 0; i < prefix.length(); i++) {
                char c = prefix.charAt(i);
                if (c == '=' || c <= 0x20 || c >= 0x7f) {
                    throw new IllegalArgumentException("variablePrefix: '=', blank, control or"
                            + " non-ASCII character in prefix");
                }
            }
            this.prefix = prefix;
            return this;
        }

        /** Sets how long the program may run before it is killed and access denied (the manual's {@code -t}). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Sets the {@code PATH} the program gets; by default the proxy's own, or a standard one. */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (path.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("path: holds NUL");
            }
            this.path = path;
            return this;
        }

        /** Returns the controller. */
        public ProgramAccessController build() {
            return new ProgramAccessController(this);
        }
    }
}
