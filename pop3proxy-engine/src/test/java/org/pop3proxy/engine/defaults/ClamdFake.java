package org.pop3proxy.engine.defaults;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A scripted clamd on 127.0.0.1 and port 0, one {@link Fault} for all its connections. It answers
 * {@code zPING}, {@code zVERSION} and {@code zINSTREAM} (recording what it received), and
 * misbehaves as told.
 */
public final class ClamdFake implements AutoCloseable {
    /** How the fake misbehaves. */
    public enum Fault {
        /** Behaves: PONG, a version, and {@code stream: OK} after the whole stream. */
        NONE,
        /** Answers {@code stream: Fake.Test.Virus FOUND}. */
        FOUND,
        /** Accepts and then never reads nor answers. */
        SILENT,
        /** Reads part of the stream, then closes the connection. */
        DROP_MID_STREAM,
        /** Answers with bytes that are no clamd answer. */
        GARBAGE,
        /** Answers {@code stream: OK} but closes without the terminating NUL. */
        NO_TERMINATOR,
        /** Answers {@code stream: OK trailing}, which is not exactly clean. */
        OK_WITH_SUFFIX,
        /** Answers {@code INSTREAM size limit exceeded. ERROR} after the first chunk, like clamd. */
        SIZE_LIMIT,
        /** Reads the whole stream and then keeps quiet until closed. */
        SLOW,
        /** Reads the whole stream and answers {@code stream: OK} after {@link #delay}. */
        DELAYED_OK,
        /** Answers PING with something else than PONG. */
        NO_PONG
    }

    private final ServerSocket server;
    private final Fault fault;
    private final Duration delay;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<byte[]> streams = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private ClamdFake(Fault fault, Duration delay) throws IOException {
        this.fault = fault;
        this.delay = delay;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "clamd-fake");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ClamdFake start(Fault fault) throws IOException {
        return new ClamdFake(fault, Duration.ZERO);
    }

    public static ClamdFake delayed(Duration delay) throws IOException {
        return new ClamdFake(Fault.DELAYED_OK, delay);
    }

    /** Returns a port on 127.0.0.1 where nothing listens (bound, then freed). */
    public static int refusingPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Returns a scanner builder aimed at this fake with short timeouts. */
    public ClamdScanner.Builder scanner() {
        return ClamdScanner.builder()
                .tcp("127.0.0.1", port())
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofMillis(500))
                .totalTimeout(Duration.ofSeconds(10));
    }

    /** Returns the bytes of each complete INSTREAM received, in order. */
    List<byte[]> streams() {
        return streams;
    }

    /** Returns the commands received, without the {@code z} prefix's NUL. */
    List<String> commands() {
        return commands;
    }

    /** Returns the length of every chunk received, the terminating zero included. */
    List<Integer> chunkSizes() {
        return chunkSizes;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "clamd-fake-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            if (fault == Fault.SILENT) {
                closed.await();
                return;
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String command = readCommand(in);
            commands.add(command);
            switch (command) {
                case "zPING":
                    answer(out, fault == Fault.NO_PONG ? "PANG" : "PONG");
                    return;
                case "zVERSION":
                    answer(out, "ClamAV 0.0.0-fake/1/Thu Jan  1 00:00:00 1970");
                    return;
                case "zINSTREAM":
                    instream(s, in, out);
                    return;
                default:
                    answer(out, "UNKNOWN COMMAND");
            }
        } catch (IOException | InterruptedException e) {
            // The client went away; nothing to record.
        }
    }

    private void instream(Socket s, InputStream in, OutputStream out) throws IOException, InterruptedException {
        DataInputStream data = new DataInputStream(in);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (true) {
            int len = data.readInt();
            chunkSizes.add(len);
            if (fault == Fault.DROP_MID_STREAM && received.size() > 0) {
                s.setSoLinger(true, 0);
                return;
            }
            if (fault == Fault.SIZE_LIMIT && received.size() > 0) {
                answer(out, "INSTREAM size limit exceeded. ERROR");
                s.shutdownOutput();
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            if (len == 0) {
                break;
            }
            byte[] chunk = new byte[len];
            data.readFully(chunk);
            received.write(chunk);
        }
        streams.add(received.toByteArray());
        switch (fault) {
            case FOUND:
                answer(out, "stream: Fake.Test.Virus FOUND");
                break;
            case GARBAGE:
                out.write(new byte[] {1, 'h', 'e', 'l', 'l', 'o', '\r', '\n', 0});
                break;
            case NO_TERMINATOR:
                out.write("stream: OK".getBytes(StandardCharsets.US_ASCII));
                break;
            case OK_WITH_SUFFIX:
                answer(out, "stream: OK trailing");
                break;
            case SLOW:
                closed.await();
                answer(out, "stream: OK");
                break;
            case DELAYED_OK:
                if (!closed.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    answer(out, "stream: OK");
                }
                break;
            default:
                answer(out, "stream: OK");
        }
        out.flush();
    }

    private static String readCommand(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != 0; c = in.read()) {
            if (c < 0) {
                throw new EOFException();
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static void answer(OutputStream out, String text) throws IOException {
        out.write((text + "\0").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
