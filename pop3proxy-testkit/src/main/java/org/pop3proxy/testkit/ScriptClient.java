package org.pop3proxy.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.opentest4j.AssertionFailedError;

/**
 * A script-style POP3 client for tests: send a line, expect an exact line back.
 *
 * <pre>{@code
 * try (ScriptClient c = ScriptClient.connect(proxyPort)) {
 *     c.expect("+OK POP3 proxy ready");
 *     c.send("USER bob").expect("+OK password required");
 * }
 * }</pre>
 *
 * <p>Over TLS the client checks the server's certificate and its name against the host it
 * dialled, as a mail client should: {@link #stls()} upgrades a plaintext connection after the
 * server's {@code +OK}, {@link #connectTls} starts with TLS (POP3S).
 *
 * <p>Every wait for data is bounded by the client's timeout (5 seconds unless given), so a
 * proxy that hangs fails the test instead of stalling it. Failed expectations throw
 * {@link AssertionFailedError} with the expected and actual values and the recent transcript;
 * I/O errors other than a timeout or a closed connection throw {@link UncheckedIOException}.
 * Lines are decoded as ISO-8859-1, so every byte maps to one char and back. Not thread-safe:
 * one test thread drives one client.
 */
public final class ScriptClient implements AutoCloseable {
    /** How long a read waits for data unless the client is given another timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final int EOF = -1;
    private static final int RESET = -2;
    private static final int MAX_LINE = 1024 * 1024;
    private static final int TRANSCRIPT_LINES = 40;
    private static final int TRANSCRIPT_WIDTH = 200;

    private final Socket raw;
    private final InetSocketAddress remote;
    private final Duration timeout;
    private final Optional<SSLSocketFactory> tlsFactory;
    private final Deque<String> transcript = new ArrayDeque<>();
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private ScriptClient(Socket socket, InetSocketAddress remote, Duration timeout,
                         Optional<SSLSocketFactory> tlsFactory) throws IOException {
        this.raw = socket;
        this.remote = remote;
        this.timeout = timeout;
        this.tlsFactory = tlsFactory;
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        socket.setTcpNoDelay(true);
        use(socket);
    }

    /** Connects to {@code 127.0.0.1:port} with the default timeout. */
    public static ScriptClient connect(int port) {
        return connect(new InetSocketAddress("127.0.0.1", port), DEFAULT_TIMEOUT);
    }

    /** Connects to {@code address} with the default timeout. */
    public static ScriptClient connect(InetSocketAddress address) {
        return connect(address, DEFAULT_TIMEOUT);
    }

    /** Connects to {@code address}; {@code timeout} bounds the connection and every read. */
    public static ScriptClient connect(InetSocketAddress address, Duration timeout) {
        return open(address, timeout, Optional.empty());
    }

    /**
     * Connects to {@code address} in plaintext, like {@link #connect(InetSocketAddress, Duration)};
     * {@link #stls()} will then use {@code tls} (for instance
     * {@link Pop3ProxyHarness#sslSocketFactory()}) for the handshake.
     */
    public static ScriptClient connect(InetSocketAddress address, Duration timeout, SSLSocketFactory tls) {
        return open(address, timeout, Optional.of(Objects.requireNonNull(tls, "tls")));
    }

    /**
     * Connects to {@code address} and completes a TLS handshake with {@code tls} at once, as a
     * POP3S client does (port 995 style); the greeting is not read yet. Fails with an
     * {@link AssertionFailedError} when the handshake or the check of the certificate fails.
     */
    public static ScriptClient connectTls(InetSocketAddress address, Duration timeout, SSLSocketFactory tls) {
        ScriptClient client = connect(address, timeout, tls);
        try {
            client.startTls(tls);
            return client;
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    private static ScriptClient open(InetSocketAddress address, Duration timeout, Optional<SSLSocketFactory> tls) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout out of range: " + timeout);
        }
        Socket socket = new Socket();
        try {
            socket.connect(address, Math.toIntExact(timeout.toMillis()));
            return new ScriptClient(socket, address, timeout, tls);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    /** Returns the bound on every read. */
    public Duration timeout() {
        return timeout;
    }

    /** Returns the client's own address, as the server sees it. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) raw.getLocalSocketAddress();
    }

    /** Returns the TLS session once the connection is protected, or empty while it is plaintext. */
    public Optional<SSLSession> tlsSession() {
        return socket instanceof SSLSocket ? Optional.of(((SSLSocket) socket).getSession()) : Optional.empty();
    }

    /**
     * Sends {@code STLS}, expects a line starting {@code +OK} and then upgrades the connection to
     * TLS with the factory the client was connected with (the harness's, for clients a
     * {@link Pop3ProxyHarness} hands out). Fails if the server sent anything after its
     * {@code +OK} line before the handshake (such bytes could have been injected in plaintext),
     * or if the handshake or the certificate check fails.
     */
    public ScriptClient stls() {
        return stls(tlsFactory.orElseThrow(() -> new IllegalStateException(
                "this client was connected without an SSLSocketFactory; use stls(factory)")));
    }

    /** Does what {@link #stls()} does, with {@code tls} for the handshake. */
    public ScriptClient stls(SSLSocketFactory tls) {
        Objects.requireNonNull(tls, "tls");
        send("STLS").expectStartsWith("+OK");
        int buffered;
        try {
            buffered = in.available();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (buffered > 0) {
            throw failure("the server sent " + buffered + " more bytes after its STLS +OK, before the TLS handshake");
        }
        return startTls(tls);
    }

    /** Runs the client side of a TLS handshake on the connection, checking the server's name. */
    private ScriptClient startTls(SSLSocketFactory tls) {
        if (socket instanceof SSLSocket) {
            throw new IllegalStateException("TLS is already active");
        }
        try {
            SSLSocket secure = (SSLSocket) tls.createSocket(raw, remote.getHostString(), remote.getPort(), true);
            SSLParameters params = secure.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            secure.setSSLParameters(params);
            secure.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            secure.startHandshake();
            use(secure);
            SSLSession session = secure.getSession();
            note("   ", "<TLS " + session.getProtocol() + " " + session.getCipherSuite() + ">");
            return this;
        } catch (IOException e) {
            AssertionFailedError error = new AssertionFailedError("TLS handshake with " + remote + " failed: " + e
                    + transcriptText(), e);
            close();
            throw error;
        }
    }

    private void use(Socket next) throws IOException {
        socket = next;
        in = new BufferedInputStream(next.getInputStream(), 64 * 1024);
        out = next.getOutputStream();
    }

    /** Sends {@code line} followed by CRLF. */
    public ScriptClient send(String line) {
        Objects.requireNonNull(line, "line");
        note("C: ", maskPassword(line));
        write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Sends {@code bytes} exactly as given: no line ending is added. */
    public ScriptClient sendRaw(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        note("C: ", "<" + bytes.length + " raw bytes>");
        write(bytes);
        return this;
    }

    /** Reads the next line and returns it without its line ending (CRLF or LF). */
    public String readLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = read("a line");
            if (b < 0) {
                throw failure("connection " + (b == EOF ? "closed" : "reset") + " before the end of a line"
                        + (line.size() > 0 ? " (got " + quote(line.toString(StandardCharsets.ISO_8859_1)) + ")" : ""));
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                String text = new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                note("S: ", text);
                return text;
            }
            if (line.size() >= MAX_LINE) {
                throw failure("line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    /** Reads the next line and checks that it is exactly {@code expected}. */
    public ScriptClient expect(String expected) {
        Objects.requireNonNull(expected, "expected");
        String actual = readLine();
        if (!expected.equals(actual)) {
            throw new AssertionFailedError("expected line " + quote(expected) + " but got " + quote(actual)
                    + transcriptText(), expected, actual);
        }
        return this;
    }

    /** Reads the next line, checks that it starts with {@code prefix} and returns it. */
    public String expectStartsWith(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        String actual = readLine();
        if (!actual.startsWith(prefix)) {
            throw new AssertionFailedError("expected a line starting with " + quote(prefix) + " but got "
                    + quote(actual) + transcriptText(),
                    prefix + "...", actual);
        }
        return actual;
    }

    /**
     * Reads a multi-line body up to its terminating {@code .} line and returns the bytes before
     * that line exactly as they came over the wire, still dot-stuffed (see
     * {@link Pop3Bytes#dotUnstuff}). Call it after the {@code +OK} status line has been read.
     * Fails if the connection ends before the terminator.
     */
    public byte[] readMultiline() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int lineStart = 0;
        int beforeLast = -1;
        int last = -1;
        while (true) {
            int b = read("a multi-line body");
            if (b < 0) {
                throw failure("connection " + (b == EOF ? "closed" : "reset") + " after " + body.size()
                        + " body bytes, before the terminating \".\" line");
            }
            body.write(b);
            if (b == '\n') {
                if (body.size() - lineStart == 3 && beforeLast == '.' && last == '\r') {
                    note("S: ", "<multi-line body of " + lineStart + " bytes>");
                    return Arrays.copyOf(body.toByteArray(), lineStart);
                }
                lineStart = body.size();
            }
            beforeLast = last;
            last = b;
        }
    }

    /**
     * Reads everything until the other side closes the connection and returns it; fails if the
     * connection stays open with nothing to read for longer than the timeout.
     */
    public byte[] readToEnd() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
            int b = read("the end of the connection");
            if (b < 0) {
                note("S: ", "<" + all.size() + " bytes, then closed>");
                return all.toByteArray();
            }
            all.write(b);
        }
    }

    /**
     * Checks that the other side closes the connection (EOF or reset) within the timeout and
     * sends nothing more before it.
     */
    public void expectClosed() {
        int b = read("the connection to close");
        if (b >= 0) {
            ByteArrayOutputStream more = new ByteArrayOutputStream();
            more.write(b);
            try {
                int n = Math.min(in.available(), TRANSCRIPT_WIDTH);
                more.write(in.readNBytes(n));
            } catch (IOException ignored) {
                // What arrived so far is enough to explain the failure.
            }
            throw failure("expected the connection to close, got " + quote(more.toString(StandardCharsets.ISO_8859_1)));
        }
        note("S: ", "<closed>");
    }

    /**
     * Closes the connection without sending QUIT (nor a TLS close_notify), as a client that
     * vanishes would.
     */
    @Override
    public void close() {
        closeQuietly(raw);
    }

    /** Reads one byte, or returns {@link #EOF} or {@link #RESET}. */
    private int read(String waitingFor) {
        try {
            int b = in.read();
            return b < 0 ? EOF : b;
        } catch (SocketTimeoutException e) {
            throw failure("no data within " + timeout.toMillis() + " ms while waiting for " + waitingFor);
        } catch (SocketException | SSLException e) {
            if (raw.isClosed()) {
                throw new IllegalStateException("the client was closed", e);
            }
            return RESET;
        } catch (EOFException e) {
            // TLS: the peer closed the TCP connection without a close_notify.
            return EOF;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send" + transcriptText(), e);
        }
    }

    private void note(String prefix, String text) {
        String shown = text.length() > TRANSCRIPT_WIDTH ? text.substring(0, TRANSCRIPT_WIDTH) + "..." : text;
        transcript.addLast(prefix + shown);
        while (transcript.size() > TRANSCRIPT_LINES) {
            transcript.removeFirst();
        }
    }

    private AssertionFailedError failure(String message) {
        return new AssertionFailedError(message + transcriptText());
    }

    private String transcriptText() {
        if (transcript.isEmpty()) {
            return "";
        }
        return "\ntranscript so far:\n  " + String.join("\n  ", transcript);
    }

    private static String maskPassword(String line) {
        return line.toUpperCase(Locale.ROOT).startsWith("PASS ") ? line.substring(0, 5) + "****" : line;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort; the test is over with this connection either way.
        }
    }
}
