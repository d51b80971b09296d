package org.pop3proxy.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pop3proxy.api.ServerTarget;

/**
 * A POP3 server for tests that serves a small in-memory mailbox correctly, or misbehaves in one
 * chosen way at one chosen point: the upstream counterpart of {@link ScriptClient}.
 *
 * <pre>{@code
 * try (FaultyUpstream upstream = FaultyUpstream.builder()
 *         .user("bob", "secret")
 *         .message("Subject: hi\r\n\r\nhello\r\n")
 *         .fault(FaultyUpstream.Fault.CLOSE_MID_BODY, "RETR")
 *         .start()) {
 *     // point a proxy at upstream.target(), drive it, then:
 *     assertFalse(upstream.commands().contains("QUIT"));
 * }
 * }</pre>
 *
 * <p>It listens on {@code 127.0.0.1} on a free port, serves each connection in its own thread,
 * records every line it receives (in {@link #commands()}, across connections, in arrival order)
 * and counts connections. Deletions are committed to the shared mailbox only by a QUIT in the
 * TRANSACTION state, as RFC 1939 says, so a test can see whether a QUIT ever arrived. Safe for
 * concurrent use; the fault may be changed while it runs.
 */
public final class FaultyUpstream implements Closeable {
    /** The fault point before any command: the server's greeting. */
    public static final String GREETING = "GREETING";

    /** Ways to misbehave; each acts at a point (see {@link Builder#fault(Fault, String)}). */
    public enum Fault {
        /** Behaves correctly. */
        NONE(GREETING),
        /** Greets with a line that is not POP3 ({@code * OK IMAP4rev1 ready}); acts only at the greeting. */
        BAD_GREETING(GREETING),
        /** Answers with a line that is neither {@code +OK} nor {@code -ERR}. */
        GARBAGE_REPLY("STAT"),
        /** Never answers from the point on; reads and records what arrives until the peer leaves. */
        STALL("STAT"),
        /** Greets correctly, then closes at once; acts only at the greeting. */
        CLOSE_AFTER_GREETING(GREETING),
        /** Closes the connection instead of answering. */
        DROP("STAT"),
        /**
         * Answers a multi-line command (RETR, TOP, LIST, UIDL) with {@code +OK} and the first half
         * of the body, then closes without the terminating line; at any other point, closes
         * instead of answering.
         */
        CLOSE_MID_BODY("RETR"),
        /** Answers {@code +OK} followed by a very long line (see {@link Builder#overlongLength}). */
        OVERLONG_STATUS_LINE("STAT"),
        /** Answers {@code -ERR [IN-USE] mailbox locked by another session}. */
        REJECT_LOGIN("PASS");

        private final String defaultPoint;

        Fault(String defaultPoint) {
            this.defaultPoint = defaultPoint;
        }

        /** Returns where the fault acts unless told otherwise: a verb, or {@link #GREETING}. */
        public String defaultPoint() {
            return defaultPoint;
        }
    }

    static final String BAD_GREETING_LINE = "* OK IMAP4rev1 ready";
    static final String GARBAGE_LINE = "?? garbage from a confused server";
    static final String REJECT_LINE = "-ERR [IN-USE] mailbox locked by another session";

    private static final byte[] CRLF = {'\r', '\n'};
    private static final int MAX_LINE = 8192;
    private static final Duration IDLE_LIMIT = Duration.ofSeconds(60);

    private final ServerSocket listener;
    private final Map<String, String> users;
    private final String greeting;
    private final int overlongLength;
    private final List<Message> mailbox;
    private final List<String> commands = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Object closedLock = new Object();
    private int closedConnections;
    private volatile Plan plan;
    private volatile boolean closed;

    private FaultyUpstream(Builder b, ServerSocket listener) {
        this.listener = listener;
        this.users = Map.copyOf(b.users);
        this.greeting = b.greeting;
        this.overlongLength = b.overlongLength;
        this.plan = b.plan;
        List<Message> messages = new ArrayList<>();
        for (byte[] m : b.messages) {
            messages.add(new Message("uid-" + (messages.size() + 1), m));
        }
        this.mailbox = messages;
    }

    /** Returns a builder for a server with no users, no messages and no fault. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the port the server listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Returns the address the server listens on. */
    public InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** Returns the server as a proxy target. */
    public ServerTarget target() {
        return ServerTarget.of(listener.getInetAddress().getHostAddress(), listener.getLocalPort());
    }

    /** Makes {@code fault} act at its default point from now on, for new and open connections. */
    public void fault(Fault fault) {
        this.plan = new Plan(fault, fault.defaultPoint());
    }

    /** Makes {@code fault} act at {@code point} (a verb or {@link #GREETING}) from now on. */
    public void fault(Fault fault, String point) {
        this.plan = new Plan(fault, point);
    }

    /** Returns every line received so far, without line endings, in arrival order. */
    public List<String> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /** Returns the verbs received so far (each line's first word, upper case), in arrival order. */
    public List<String> verbs() {
        List<String> verbs = new ArrayList<>();
        for (String line : commands()) {
            int space = line.indexOf(' ');
            verbs.add((space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT));
        }
        return verbs;
    }

    /** Returns how many connections have been accepted. */
    public int connections() {
        return connections.get();
    }

    /** Returns how many connections have ended. */
    public int closedConnections() {
        synchronized (closedLock) {
            return closedConnections;
        }
    }

    /**
     * Waits until at least {@code count} connections have ended, so that what they received is
     * final; returns whether that happened within {@code timeout}.
     */
    public boolean awaitClosedConnections(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (closedLock) {
            while (closedConnections < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(closedLock, left);
            }
            return true;
        }
    }

    /** Returns how many messages the mailbox holds; deletions count once a QUIT committed them. */
    public int messageCount() {
        synchronized (mailbox) {
            return mailbox.size();
        }
    }

    /** Stops listening, cuts every open connection and waits briefly for their threads. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Already closed or never fully open; either way nothing more is accepted.
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void start() {
        Thread acceptor = new Thread(this::acceptLoop, "faulty-upstream-accept-" + port());
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed || listener.isClosed()) {
                    return;
                }
                continue;
            }
            int n = connections.incrementAndGet();
            open.add(socket);
            Thread t = new Thread(() -> serve(socket), "faulty-upstream-" + port() + "-" + n);
            t.setDaemon(true);
            threads.add(t);
            if (closed) {
                closeQuietly(socket);
            }
            t.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(Math.toIntExact(IDLE_LIMIT.toMillis()));
            socket.setTcpNoDelay(true);
            new Conversation(socket.getInputStream(), socket.getOutputStream()).run();
        } catch (IOException | UncheckedIOException e) {
            // The peer left or the server is closing: the conversation is over either way.
        } finally {
            open.remove(socket);
            threads.remove(Thread.currentThread());
            synchronized (closedLock) {
                closedConnections++;
                closedLock.notifyAll();
            }
        }
    }

    private void record(String line) {
        synchronized (commands) {
            commands.add(line);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Best effort: the socket is unusable either way.
        }
    }

    /** One client's session with its own view of the mailbox. */
    private final class Conversation {
        private final InputStream in;
        private final OutputStream out;
        private String user;
        private boolean loggedIn;
        private List<Message> view = List.of();
        private boolean[] deleted = new boolean[0];
        private int last;

        Conversation(InputStream in, OutputStream out) {
            this.in = new BufferedInputStream(in);
            this.out = out;
        }

        void run() throws IOException {
            Plan p = plan;
            if (p.at(GREETING) || p.fault == Fault.BAD_GREETING || p.fault == Fault.CLOSE_AFTER_GREETING) {
                switch (p.fault) {
                    case BAD_GREETING:
                        line(BAD_GREETING_LINE);
                        break;
                    case CLOSE_AFTER_GREETING:
                        line(greeting);
                        return;
                    case NONE:
                        line(greeting);
                        break;
                    default:
                        if (!misbehave(p.fault, false)) {
                            return;
                        }
                        break;
                }
            } else {
                line(greeting);
            }
            while (true) {
                String command = readLine();
                if (command == null) {
                    return;
                }
                record(command);
                String[] words = command.trim().split(" +");
                String verb = words[0].toUpperCase(Locale.ROOT);
                p = plan;
                if (p.actsOnCommands() && p.at(verb)) {
                    boolean multiline = isMultiline(verb, words);
                    if (p.fault == Fault.CLOSE_MID_BODY && multiline && loggedIn) {
                        byte[] reply = answerBody(verb, words);
                        if (reply.length > 0) {
                            int status = indexOfLineEnd(reply) + 1;
                            int body = reply.length - status - 3;
                            out.write(reply, 0, status + Math.max(1, body / 2));
                            out.flush();
                        }
                        return;
                    }
                    if (!misbehave(p.fault, multiline)) {
                        return;
                    }
                    continue;
                }
                if (!answer(verb, words)) {
                    return;
                }
            }
        }

        /** Acts out {@code fault}; returns whether the conversation goes on. */
        private boolean misbehave(Fault fault, boolean multiline) throws IOException {
            switch (fault) {
                case GARBAGE_REPLY:
                    line(GARBAGE_LINE);
                    return true;
                case STALL:
                    drain();
                    return false;
                case OVERLONG_STATUS_LINE:
                    byte[] filler = new byte[overlongLength];
                    Arrays.fill(filler, (byte) 'x');
                    out.write("+OK ".getBytes(StandardCharsets.US_ASCII));
                    out.write(filler);
                    out.write(CRLF);
                    out.flush();
                    return true;
                case REJECT_LOGIN:
                    line(REJECT_LINE);
                    return true;
                case BAD_GREETING:
                case CLOSE_AFTER_GREETING:
                case NONE:
                    throw new IllegalStateException("not a command fault: " + fault);
                default:
                    return false;
            }
        }

        /** Reads and records until the peer leaves, answering nothing. */
        private void drain() throws IOException {
            String line;
            while ((line = readLine()) != null) {
                record(line);
            }
        }

        /** Answers one command correctly; returns whether the conversation goes on. */
        private boolean answer(String verb, String[] words) throws IOException {
            if (!loggedIn) {
                switch (verb) {
                    case "USER":
                        user = words.length > 1 ? words[1] : "";
                        line("+OK send PASS");
                        return true;
                    case "PASS":
                        String given = words.length > 1 ? String.join(" ", List.of(words).subList(1, words.length)) : "";
                        if (user != null && given.equals(users.get(user))) {
                            loggedIn = true;
                            synchronized (mailbox) {
                                view = List.copyOf(mailbox);
                            }
                            deleted = new boolean[view.size()];
                            line("+OK maildrop locked and ready");
                        } else {
                            user = null;
                            line("-ERR invalid login");
                        }
                        return true;
                    case "QUIT":
                        line("+OK bye");
                        return false;
                    default:
                        line("-ERR not logged in");
                        return true;
                }
            }
            byte[] body = answerBody(verb, words);
            if (body != null) {
                out.write(body);
                out.flush();
                return true;
            }
            switch (verb) {
                case "STAT": {
                    int count = 0;
                    long size = 0;
                    for (int i = 0; i < view.size(); i++) {
                        if (!deleted[i]) {
                            count++;
                            size += view.get(i).bytes.length;
                        }
                    }
                    line("+OK " + count + " " + size);
                    return true;
                }
                case "LIST":
                case "UIDL": {
                    int i = message(words, 1);
                    if (i < 0) {
                        return true;
                    }
                    Message m = view.get(i);
                    line("+OK " + (i + 1) + " " + ("LIST".equals(verb) ? String.valueOf(m.bytes.length) : m.uid));
                    return true;
                }
                case "DELE": {
                    int i = message(words, 1);
                    if (i >= 0) {
                        deleted[i] = true;
                        line("+OK message " + (i + 1) + " deleted");
                    }
                    return true;
                }
                case "RSET":
                    deleted = new boolean[view.size()];
                    last = 0;
                    line("+OK");
                    return true;
                case "NOOP":
                    line("+OK");
                    return true;
                case "LAST":
                    line("+OK " + last);
                    return true;
                case "QUIT":
                    synchronized (mailbox) {
                        for (int i = 0; i < view.size(); i++) {
                            if (deleted[i]) {
                                mailbox.remove(view.get(i));
                            }
                        }
                    }
                    line("+OK bye");
                    return false;
                case "USER":
                case "PASS":
                    line("-ERR already logged in");
                    return true;
                default:
                    line("-ERR unknown command");
                    return true;
            }
        }

        private boolean isMultiline(String verb, String[] words) {
            switch (verb) {
                case "RETR":
                case "TOP":
                    return true;
                case "LIST":
                case "UIDL":
                    return words.length == 1;
                default:
                    return false;
            }
        }

        /**
         * Returns the whole answer (status line, body, terminator) to a multi-line command, or
         * {@code null} if {@code verb} with these arguments is not one; writes an {@code -ERR}
         * itself and returns an empty answer when the arguments are wrong.
         */
        private byte[] answerBody(String verb, String[] words) throws IOException {
            if (!isMultiline(verb, words)) {
                return null;
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            switch (verb) {
                case "LIST":
                case "UIDL":
                    reply.write(("+OK\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < view.size(); i++) {
                        if (!deleted[i]) {
                            Message m = view.get(i);
                            String item = (i + 1) + " " + ("LIST".equals(verb) ? String.valueOf(m.bytes.length) : m.uid);
                            reply.write((item + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    break;
                case "RETR": {
                    int i = message(words, 1);
                    if (i < 0) {
                        return new byte[0];
                    }
                    last = Math.max(last, i + 1);
                    byte[] m = view.get(i).bytes;
                    reply.write(("+OK " + m.length + " octets\r\n").getBytes(StandardCharsets.US_ASCII));
                    reply.write(Pop3Bytes.dotStuff(m));
                    break;
                }
                default: {
                    int i = message(words, 2);
                    if (i < 0) {
                        return new byte[0];
                    }
                    int lines;
                    try {
                        lines = Integer.parseInt(words[2]);
                    } catch (NumberFormatException e) {
                        lines = -1;
                    }
                    if (lines < 0) {
                        line("-ERR bad line count");
                        return new byte[0];
                    }
                    reply.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    reply.write(Pop3Bytes.dotStuff(top(view.get(i).bytes, lines)));
                    break;
                }
            }
            reply.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            return reply.toByteArray();
        }

        /**
         * Returns the index of the message named by the first argument, or -1 after answering
         * {@code -ERR}; {@code arity} is the number of arguments the command needs.
         */
        private int message(String[] words, int arity) throws IOException {
            if (words.length != arity + 1) {
                line("-ERR wrong number of arguments");
                return -1;
            }
            int n;
            try {
                n = Integer.parseInt(words[1]);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1 || n > view.size() || deleted[n - 1]) {
                line("-ERR no such message");
                return -1;
            }
            return n - 1;
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                if (line.size() < MAX_LINE) {
                    line.write(b);
                }
            }
        }

        private void line(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.write(CRLF);
            out.flush();
        }
    }

    private static int indexOfLineEnd(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return bytes.length - 1;
    }

    /** Returns the header of {@code message}, the blank line and the first {@code lines} body lines. */
    static byte[] top(byte[] message, int lines) {
        int i = 0;
        int lineStart = 0;
        boolean inBody = false;
        int bodyLines = 0;
        while (i < message.length) {
            if (message[i] == '\n') {
                int length = i + 1 - lineStart;
                boolean blank = length == 1 || (length == 2 && message[lineStart] == '\r');
                if (inBody) {
                    bodyLines++;
                }
                if (!inBody && blank) {
                    inBody = true;
                }
                lineStart = i + 1;
                if (inBody && bodyLines >= lines) {
                    return Arrays.copyOf(message, lineStart);
                }
            }
            i++;
        }
        return message.clone();
    }

    /** A message and its unique id. */
    private static final class Message {
        final String uid;
        final byte[] bytes;

        Message(String uid, byte[] bytes) {
            this.uid = uid;
            this.bytes = bytes;
        }
    }

    /** A fault and where it acts. */
    private static final class Plan {
        final Fault fault;
        final String point;

        Plan(Fault fault, String point) {
            this.fault = Objects.requireNonNull(fault, "fault");
            this.point = Objects.requireNonNull(point, "point").toUpperCase(Locale.ROOT);
        }

        boolean at(String where) {
            return point.equals(where);
        }

        boolean actsOnCommands() {
            return fault != Fault.NONE && fault != Fault.BAD_GREETING && fault != Fault.CLOSE_AFTER_GREETING;
        }
    }

    /** Builds and starts {@link FaultyUpstream}s; reusable, each {@link #start()} makes a new server. */
    public static final class Builder {
        private final Map<String, String> users = new LinkedHashMap<>();
        private final List<byte[]> messages = new ArrayList<>();
        private String greeting = "+OK FaultyUpstream ready";
        private int overlongLength = 100_000;
        private Plan plan = new Plan(Fault.NONE, GREETING);

        private Builder() {}

        /** Adds a login; all users share one mailbox. */
        public Builder user(String login, String password) {
            users.put(Objects.requireNonNull(login, "login"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /** Adds a message given as raw RFC 5322 bytes (lines should end with CRLF). */
        public Builder message(byte[] rfc5322) {
            messages.add(Objects.requireNonNull(rfc5322, "rfc5322").clone());
            return this;
        }

        /** Adds a message given as text, encoded as UTF-8. */
        public Builder message(String rfc5322) {
            return message(Objects.requireNonNull(rfc5322, "rfc5322").getBytes(StandardCharsets.UTF_8));
        }

        /** Sets the greeting line, without CRLF; it should start with {@code +OK}. */
        public Builder greeting(String greeting) {
            this.greeting = Objects.requireNonNull(greeting, "greeting");
            return this;
        }

        /** Makes {@code fault} act at its {@linkplain Fault#defaultPoint() default point}. */
        public Builder fault(Fault fault) {
            this.plan = new Plan(fault, fault.defaultPoint());
            return this;
        }

        /**
         * Makes {@code fault} act whenever a command with verb {@code point} (case-insensitive)
         * arrives, in every connection, or at the greeting when {@code point} is {@link #GREETING}.
         */
        public Builder fault(Fault fault, String point) {
            this.plan = new Plan(fault, point);
            return this;
        }

        /** Sets how many bytes follow {@code +OK } in an {@link Fault#OVERLONG_STATUS_LINE} answer. */
        public Builder overlongLength(int overlongLength) {
            if (overlongLength < 1) {
                throw new IllegalArgumentException("overlongLength < 1: " + overlongLength);
            }
            this.overlongLength = overlongLength;
            return this;
        }

        /** Starts a server on {@code 127.0.0.1} at a free port. */
        public FaultyUpstream start() {
            ServerSocket socket = null;
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                FaultyUpstream upstream = new FaultyUpstream(this, socket);
                upstream.start();
                return upstream;
            } catch (IOException e) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // Nothing was served on it.
                    }
                }
                throw new UncheckedIOException("cannot start FaultyUpstream", e);
            }
        }
    }
}
