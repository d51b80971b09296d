package org.pop3proxy.engine.hardening;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A proxy in a child JVM started from the test class path (see {@link ForkedProxyMain}). */
final class ForkedProxy implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final int port;

    /**
     * Starts a child JVM with {@code jvmOptions} (e.g. {@code -Xmx48m}, system properties) in
     * front of the server at {@code serverPort}; {@code spool} null means no scanning.
     */
    ForkedProxy(List<String> jvmOptions, int serverPort, long timeoutMillis, Path spool, Path stderr)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(ForkedProxyMain.class.getName());
        command.add(Integer.toString(serverPort));
        command.add(Long.toString(timeoutMillis));
        command.add(spool == null ? "-" : spool.toString());
        process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IOException("the child proxy did not start: " + line + "; see " + stderr);
        }
        port = Integer.parseInt(line.substring(5).trim());
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path").replace(';', File.pathSeparatorChar);
    }

    int port() {
        return port;
    }

    /** Ends the child and returns the heap it used at its peak, in bytes. */
    long stop() throws IOException, InterruptedException {
        process.getOutputStream().close();
        String line;
        long peak = -1;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("PEAK ")) {
                peak = Long.parseLong(line.substring(5).trim());
            }
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("the child proxy did not stop");
        }
        return peak;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
