package org.pop3proxy.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses how sessions get threads: pooled platform threads first, and on Java 21+ a virtual
 * thread per session beyond them; on Java 17 the pool is bounded and refuses sessions beyond its
 * size rather than queueing them.
 */
final class SessionThreads {
    /** {@code Thread.isVirtual()} on Java 21+, null before. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    /**
     * How many sessions at a time a Java 21+ proxy serves on platform threads before virtual ones:
     * eight per core, at least 16. The saving is per socket wait, so it matters for the sessions
     * the cores are kept busy with; a platform thread costs about 100-150 KB (its stack, the
     * JDK's cached I/O buffers) while a session holds it and until it has been idle for 60 s.
     */
    static final int PLATFORM_FIRST = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());

    private SessionThreads() {}

    /** Returns whether the calling thread is a virtual thread (never on Java 17). */
    static boolean onVirtualThread() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable e) {
            return false;
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            // Compiled for 17: look the 21+ method up instead of naming it.
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException noVirtualThreads) {
            return null;
        }
    }

    /**
     * Returns an executor for sessions. On Java 17, a pool of at most {@code platformLimit}
     * platform threads that refuses sessions beyond its size rather than queueing them. On Java
     * 21+, the first {@link #PLATFORM_FIRST} sessions at a time on pooled platform threads as well,
     * and every session beyond them on a virtual thread of its own: a platform thread waits for its
     * sockets in the kernel, where a virtual thread goes through the JDK's poller and a carrier
     * thread for every wait (a quarter more CPU per session here, docs/PERFORMANCE.md §2a), but
     * thousands of idle sessions on virtual threads cost no thread stacks (§3).
     */
    static ExecutorService newExecutor(int platformLimit) {
        return virtualThreadPerTask()
                .<ExecutorService>map(virtual ->
                        new PlatformFirst(Math.min(platformLimit, PLATFORM_FIRST), virtual))
                .orElseGet(() -> platformPool(platformLimit, new ThreadPoolExecutor.AbortPolicy()));
    }

    /** Returns {@code Executors.newVirtualThreadPerTaskExecutor()} on Java 21+, empty before. */
    private static Optional<ExecutorService> virtualThreadPerTask() {
        try {
            // Compiled for 17: look the 21+ factory up instead of naming it.
            return Optional.of((ExecutorService) MethodHandles.publicLookup()
                    .findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke());
        } catch (Throwable noVirtualThreads) {
            return Optional.empty();
        }
    }

    /**
     * A pool of up to {@code size} platform threads that queues nothing: a task no idle or new
     * thread takes goes to {@code whenBusy}, as does every task once the pool is shut down.
     */
    private static ThreadPoolExecutor platformPool(int size, RejectedExecutionHandler whenBusy) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, size, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            String name = "pop3proxy-session-" + n.incrementAndGet();
            Thread t = new Thread(null, r, name, 256 * 1024);
            t.setDaemon(true);
            return t;
        }, whenBusy);
    }

    /**
     * Runs a task on an idle or new thread of a pool of {@code size} platform threads while it has
     * one, else in {@code rest}; shut down, it refuses tasks and waits for both. The pool hands a
     * task it cannot take to {@code rest} itself, so a session beyond it costs no exception.
     */
    static final class PlatformFirst extends AbstractExecutorService {
        private final ThreadPoolExecutor first;
        private final ExecutorService rest;

        PlatformFirst(int size, ExecutorService rest) {
            this.rest = rest;
            this.first = platformPool(size, (task, pool) -> {
                if (pool.isShutdown()) {
                    throw new RejectedExecutionException("session threads shut down");
                }
                rest.execute(task);
            });
        }

        @Override
        public void execute(Runnable task) {
            first.execute(task);
        }

        @Override
        public void shutdown() {
            first.shutdown();
            rest.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            List<Runnable> never = new ArrayList<>(first.shutdownNow());
            never.addAll(rest.shutdownNow());
            return never;
        }

        @Override
        public boolean isShutdown() {
            return first.isShutdown() && rest.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return first.isTerminated() && rest.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            return first.awaitTermination(timeout, unit)
                    && rest.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    /** Tells a client that is over a limit that the proxy is busy, and closes it. */
    static void refuse(Socket client) {
        try (client) {
            OutputStream out = client.getOutputStream();
            out.write("-ERR too many connections, try again later\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // The client is gone already; nothing more to tell it.
        }
    }
}
