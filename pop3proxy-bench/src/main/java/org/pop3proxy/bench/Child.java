package org.pop3proxy.bench;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by the benchmark (the proxy, GreenMail): its standard input is a control
 * channel whose end stops it, its standard output answers, its standard error goes to a log file.
 * Or another program that listens on a port the benchmark chose ({@link #listening}), such as
 * the HAProxy and nginx references: it has no control channel and is stopped with a signal.
 */
final class Child implements Closeable {
    private final String name;
    private final Process process;
    private final BufferedReader out;
    private final OutputStream control;
    final int port;

    private Child(String name, Process process) throws IOException {
        this.name = name;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.control = process.getOutputStream();
        this.port = Integer.parseInt(expect("PORT "));
    }

    private Child(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.out = null;
        this.control = null;
        this.port = port;
    }

    /**
     * Starts {@code command}, which is to listen on 127.0.0.1 at {@code port}, with its output
     * and errors in {@code log}, and waits (at most 10 s) until a connection there succeeds.
     */
    static Child listening(String name, List<String> command, int port, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return new Child(name, p, port);
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException(name + " did not listen on port " + port + " (see " + log + ")");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException(name + ": interrupted while starting", e);
                }
            }
        }
    }

    /** Starts {@code java <jvmArgs> -cp <classpath> <mainClass> <args>} and waits for its port. */
    static Child start(String name, String java, List<String> jvmArgs, String classpath, String mainClass,
            List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            return new Child(name, p);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw new IOException(name + " did not start (see " + log + "): " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Sends one control line and returns the value of the answer starting with {@code key}. */
    String ask(String line, String key) throws IOException {
        if (control == null) {
            throw new IOException(name + " has no control channel");
        }
        control.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        control.flush();
        return expect(key);
    }

    private String expect(String key) throws IOException {
        for (int i = 0; i < 100; i++) {
            String line = out.readLine();
            if (line == null) {
                throw new IOException(name + " ended before answering " + key.trim());
            }
            if (line.startsWith(key)) {
                return line.substring(key.length()).trim();
            }
        }
        throw new IOException(name + " did not answer " + key.trim());
    }

    /**
     * Closes the control channel (or, for a program without one, sends SIGTERM) and waits a
     * little for the process to end, then kills it.
     */
    @Override
    public void close() {
        if (control == null) {
            process.destroy();
        } else {
            try {
                control.close();
            } catch (IOException ignored) {
                // The process is going anyway.
            }
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
