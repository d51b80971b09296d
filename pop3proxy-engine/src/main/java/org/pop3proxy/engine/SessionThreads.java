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
import java.util.function.BiFunction;

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

    /** The stack size each pool thread asks for. */
    private static final long STACK_SIZE = 256 * 1024;

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
        return platformPool(size, whenBusy, (work, name) -> new Thread(null, work, name, STACK_SIZE));
    }

    /** As above, with {@code newThread} making each thread from its work and its name. */
    private static ThreadPoolExecutor platformPool(int size, RejectedExecutionHandler whenBusy,
            BiFunction<Runnable, String, Thread> newThread) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, size, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = newThread.apply(r, "pop3proxy-session-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, whenBusy);
    }

    /**
     * Runs a task on an idle or new thread of a pool of {@code size} platform threads while it has
     * one, else in {@code rest}; shut down, it refuses tasks and waits for both. The pool hands a
     * task it cannot take to {@code rest} itself, so a session beyond it costs no exception.
     *
     * <p>A session that has answered its client's QUIT still closes its sockets and counts what
     * it held before its thread waits for the next one, and a client that quit often connects
     * again within those microseconds: with every pool thread in a session or on its way back,
     * the new session went to {@code rest}, a virtual thread, whose every socket wait costs a
     * poller and a carrier wake-up (3.5% of the sessions of the Dovecot benchmark,
     * docs/PERFORMANCE.md §2a, eighth pass). So while a pool thread is on its way back (from
     * {@link SessionThreads#sessionEnding}, or from the end of its task) the new session waits for
     * it, at most {@link #RETURN_WAIT_NANOS}; when every pool thread is in a session it goes to
     * {@code rest} at once.
     */
    static final class PlatformFirst extends AbstractExecutorService {
        /** How long a new session waits for a pool thread that has just finished one. */
        static final long RETURN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

        private final ThreadPoolExecutor first;
        private final ExecutorService rest;
        /** Pool threads done with a session and not in the next one yet (idle ones included). */
        private final AtomicInteger between = new AtomicInteger();

        PlatformFirst(int size, ExecutorService rest) {
            this(size, rest, RETURN_WAIT_NANOS);
        }

        /** With {@code returnWaitNanos} for tests, which may be slower to be scheduled. */
        PlatformFirst(int size, ExecutorService rest, long returnWaitNanos) {
            this.rest = rest;
            this.first = platformPool(size, (task, pool) -> {
                if (pool.isShutdown()) {
                    throw new RejectedExecutionException("session threads shut down");
                }
                if (between.get() > 0 && handedBack(pool, task, returnWaitNanos)) {
                    return;
                }
                rest.execute(task);
            }, (work, name) -> new PoolThread(work, name, between));
        }

        /** Waits up to {@code nanos} for a pool thread on its way back to take {@code task}. */
        private static boolean handedBack(ThreadPoolExecutor pool, Runnable task, long nanos) {
            try {
                return pool.getQueue().offer(task, nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Returns how many pool threads are between sessions now (for tests). */
        int between() {
            return between.get();
        }

        @Override
        public void execute(Runnable task) {
            first.execute(() -> {
                Thread self = Thread.currentThread();
                if (self instanceof PoolThread) {
                    ((PoolThread) self).serve(task);
                } else {
                    task.run();
                }
            });
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

    /** A pool thread of {@link PlatformFirst}, counted in its {@code between} while between sessions. */
    private static final class PoolThread extends Thread {
        private final AtomicInteger between;
        /** Whether this thread is counted in {@link #between}; only this thread reads and writes it. */
        private boolean counted;

        PoolThread(Runnable work, String name, AtomicInteger between) {
            super(null, work, name, STACK_SIZE);
            this.between = between;
        }

        /** Runs one session, not counted while it runs and counted from its end. */
        void serve(Runnable session) {
            uncount();
            try {
                session.run();
            } finally {
                ending();
            }
        }

        /** Counts this thread as between sessions from now, once. */
        void ending() {
            if (!counted) {
                counted = true;
                between.incrementAndGet();
            }
        }

        /** Stops counting this thread as between sessions, if it was. */
        private void uncount() {
            if (counted) {
                counted = false;
                between.decrementAndGet();
            }
        }

        @Override
        public void run() {
            try {
                super.run();
            } finally {
                uncount();
            }
        }
    }

    /**
     * Tells the pool, when the calling thread is one of its threads, that its session has said its
     * last word to the client and only closes and counts what it held: a new session may wait the
     * microseconds until the thread is free rather than go to a virtual thread.
     */
    static void sessionEnding() {
        Thread self = Thread.currentThread();
        if (self instanceof PoolThread) {
            ((PoolThread) self).ending();
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
