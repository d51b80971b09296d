package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A POP3 server for tests that answers each command line with whatever bytes a function returns
 * (null: close the connection; empty: say nothing; see {@link #thenClose}), and records every
 * line it received.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket socket;
    private final String greeting;
    private final Function<String, byte[]> answers;
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    ScriptedServer(String greeting, Function<String, byte[]> answers) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.greeting = greeting;
        this.answers = answers;
        Thread t = new Thread(this::serve, "scripted-server");
        t.setDaemon(true);
        t.start();
    }

    /** A well-behaved server with one message whose body (dot-stuffed, terminated) is given. */
    static ScriptedServer withMessage(String body) throws IOException {
        return new ScriptedServer("+OK scripted ready\r\n", line -> {
            String verb = line.split(" ")[0];
            switch (verb) {
                case "RETR":
                case "TOP":
                    return ascii("+OK message follows\r\n" + body);
                case "LIST":
                    return ascii(line.equals("LIST") ? "+OK 1 messages\r\n1 " + body.length() + "\r\n.\r\n"
                            : "+OK 1 " + body.length() + "\r\n");
                case "LAST":
                    return ascii("+OK 7\r\n");
                case "QUIT":
                    return ascii("+OK bye\r\n");
                default:
                    return ascii("+OK\r\n");
            }
        });
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Returns an answer after which the server closes the connection. */
    static byte[] thenClose(String s) {
        return ascii(s + "\0");
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Waits until the proxy has closed its connection to this server. */
    boolean awaitClientClosed() throws InterruptedException {
        return closed.await(5, TimeUnit.SECONDS);
    }

    private void serve() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> converse(s), "scripted-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void converse(Socket connection) {
        try (Socket s = connection) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(ascii(greeting));
            out.flush();
            String line;
            while ((line = readLine(in)) != null) {
                received.add(line);
                byte[] answer = answers.apply(line);
                if (answer == null) {
                    break;
                }
                boolean thenClose = answer.length > 0 && answer[answer.length - 1] == 0;
                out.write(answer, 0, thenClose ? answer.length - 1 : answer.length);
                out.flush();
                if (thenClose) {
                    break;
                }
            }
        } catch (IOException e) {
            // The proxy went away; a test asserts what it needs from `received`.
        } finally {
            closed.countDown();
        }
    }

    /** Reads one line without its CRLF (a bare LF ends one too); null at EOF. Unbuffered. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
