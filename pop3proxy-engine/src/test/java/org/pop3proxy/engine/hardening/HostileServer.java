package org.pop3proxy.engine.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream POP3 server under the test's full control: each connection runs a {@link Script}
 * that writes whatever bytes it likes, and every line the proxy sent is recorded, so that a test
 * can assert what reached the server (no QUIT, no USER/PASS) without trusting a real server's
 * mailbox semantics.
 */
final class HostileServer implements AutoCloseable {
    /** What the server does on one connection. */
    @FunctionalInterface
    interface Script {
        void run(Conversation c) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final Script script;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    HostileServer(Script script) throws IOException {
        this.socket = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        this.script = script;
        Thread t = new Thread(this::serve, "hostile-server-" + socket.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Returns every line the proxy sent, over all connections, without line ends. */
    List<String> received() {
        return received;
    }

    int connections() {
        return connections.get();
    }

    /** Waits until a script has reached its {@link Conversation#pause} point. */
    boolean awaitPause(long millis) throws InterruptedException {
        return reached.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Lets a paused script go on. */
    void resume() {
        release.countDown();
    }

    /** Waits until every accepted connection has ended (the proxy closed it, or the script did). */
    boolean awaitAllEnded(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (ended.get() < connections.get()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Returns whether any received line starts with {@code verb} (case-insensitive). */
    boolean receivedVerb(String verb) {
        return received.stream().anyMatch(l -> l.regionMatches(true, 0, verb, 0, verb.length())
                && (l.length() == verb.length() || l.charAt(verb.length()) == ' '));
    }

    private void serve() {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            Thread t = new Thread(() -> converse(s), "hostile-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private void converse(Socket s) {
        try (s) {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            Conversation c = new Conversation(s);
            script.run(c);
            c.drain();
        } catch (IOException | InterruptedException e) {
            // The proxy went away or the script gave up; the test asserts on received().
        } finally {
            ended.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        release.countDown();
        socket.close();
    }

    /** One connection, seen from the server. */
    final class Conversation {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conversation(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        Socket socket() {
            return socket;
        }

        Conversation send(String line) throws IOException {
            return raw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        Conversation raw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** Sends {@code bytes} one octet per TCP segment. */
        Conversation trickle(byte[] bytes) throws IOException {
            for (byte b : bytes) {
                out.write(b);
                out.flush();
            }
            return this;
        }

        OutputStream out() {
            return out;
        }

        /** Reads and records one line; null at EOF. */
        String readLine() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            try {
                while ((c = in.read()) >= 0) {
                    if (c == '\n') {
                        String s = b.toString(StandardCharsets.ISO_8859_1);
                        s = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                        received.add(s);
                        return s;
                    }
                    b.write(c);
                }
            } catch (SocketException e) {
                return null;
            }
            return null;
        }

        /** Reads a line and answers {@code reply}; returns the line (null at EOF, nothing sent). */
        String answer(String reply) throws IOException {
            String line = readLine();
            if (line != null) {
                send(reply);
            }
            return line;
        }

        /** Tells the test this point is reached, then waits for {@link HostileServer#resume}. */
        void pause() throws InterruptedException {
            reached.countDown();
            release.await(30, TimeUnit.SECONDS);
        }

        /** Reads and records lines until the proxy closes the connection. */
        void drain() throws IOException {
            while (readLine() != null) {
                // Recorded by readLine.
            }
        }

        /** Logs the proxy in: greeting, USER, PASS, each answered +OK. */
        Conversation login() throws IOException {
            send("+OK hostile ready");
            answer("+OK user");
            answer("+OK logged in");
            return this;
        }
    }
}
