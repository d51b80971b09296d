package org.pop3proxy.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses how sessions get threads: a virtual thread per session on Java 21+, else a bounded
 * pool of platform threads that refuses sessions beyond its size rather than queueing them.
 */
final class SessionThreads {
    /** {@code Thread.isVirtual()} on Java 21+, null before. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

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

    /** Returns an executor for sessions; on Java 17 it has at most {@code platformLimit} threads. */
    static ExecutorService newExecutor(int platformLimit) {
        try {
            // Compiled for 17: look the 21+ factory up instead of naming it.
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (Throwable noVirtualThreads) {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(0, platformLimit, 60, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), r -> {
                        Thread t = new Thread(null, r, "pop3proxy-session-" + n.incrementAndGet(), 256 * 1024);
                        t.setDaemon(true);
                        return t;
                    });
            return pool;
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
