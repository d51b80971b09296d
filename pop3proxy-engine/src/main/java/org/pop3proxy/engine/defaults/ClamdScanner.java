package org.pop3proxy.engine.defaults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.api.VirusScanner;
import org.pop3proxy.engine.internal.LogText;

/**
 * Scans messages with ClamAV's clamd, over TCP (by default 127.0.0.1:3310, as the manual says)
 * or a Unix socket. In {@link Mode#INSTREAM} mode the message is streamed to clamd, which works
 * with a remote clamd and needs no shared file access; in {@link Mode#CONTSCAN} mode, the
 * original's, clamd reads the spool file itself and so needs read access to it.
 *
 * <p>Only clamd's exact clean answer counts as clean; {@code FOUND} is
 * {@link ScanResult#infected infected}; anything else (an {@code ERROR}, garbage, silence, a
 * closed connection, a timeout, a message above {@link Builder#maxSize}) is
 * {@link ScanResult#failed failed}. Safe for concurrent use: every scan opens its own connection.
 */
public final class ClamdScanner implements VirusScanner {
    /** clamd's default port, and the manual's. */
    public static final int DEFAULT_PORT = 3310;

    private static final int MAX_REPLY = 4096;
    private static final int MAX_DESCRIPTION = 120;

    /** How the message reaches clamd. */
    public enum Mode {
        /** Streams the message over the connection ({@code zINSTREAM}). */
        INSTREAM,
        /** Sends the spool file's path; clamd opens the file itself ({@code zCONTSCAN}). */
        CONTSCAN
    }

    private final Optional<InetSocketAddress> tcp;
    private final Optional<Path> unixSocket;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration totalTimeout;
    private final Mode mode;
    private final int chunkSize;
    private final long maxSize;
    private volatile String version;

    private ClamdScanner(Builder b) {
        this.tcp = b.unixSocket.isPresent()
                ? Optional.empty()
                : Optional.of(InetSocketAddress.createUnresolved(b.host, b.port));
        this.unixSocket = b.unixSocket;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.totalTimeout = b.totalTimeout;
        this.mode = b.mode;
        this.chunkSize = b.chunkSize;
        this.maxSize = b.maxSize;
    }

    /** Returns a builder for a scanner using clamd at 127.0.0.1:3310 with {@code INSTREAM}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding this scanner's settings, for variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public Mode mode() {
        return mode;
    }

    /** The largest message, in bytes, that this scanner scans; larger ones fail without a scan. */
    public long maxSize() {
        return maxSize;
    }

    /**
     * Scans the message in {@code message}. Never throws: a clamd that cannot be reached, is
     * slow, or answers anything but a clean or infected verdict gives a failed result.
     */
    @Override
    public ScanResult scan(Path message) {
        Objects.requireNonNull(message, "message");
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        try {
            long size = Files.size(message);
            if (size > maxSize) {
                return ScanResult.failed("message of " + size + " bytes is above the scan limit of "
                        + maxSize + " bytes");
            }
            return mode == Mode.INSTREAM ? instream(message, deadline) : contscan(message, deadline);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            return ScanResult.failed("scan of " + where() + " interrupted");
        } catch (IOException | RuntimeException e) {
            return ScanResult.failed(describe(e));
        }
    }

    private ScanResult instream(Path message, long deadline) throws IOException {
        try (FileChannel file = FileChannel.open(message, StandardOpenOption.READ);
                ClamdConnection c = connect(deadline)) {
            ByteBuffer header = ByteBuffer.allocate(4);
            ByteBuffer chunk = ByteBuffer.allocate(chunkSize);
            boolean sent = c.write(command("zINSTREAM"));
            long total = 0;
            while (sent) {
                chunk.clear();
                int n = readFully(file, chunk);
                total += Math.max(n, 0);
                if (total > maxSize) {
                    return ScanResult.failed("message grew above the scan limit of " + maxSize + " bytes");
                }
                header.clear();
                header.putInt(Math.max(n, 0)).flip();
                chunk.flip();
                sent = c.write(header, chunk);
                if (n <= 0) {
                    break;
                }
            }
            String reply = c.readReply(MAX_REPLY);
            ScanResult result = verdict(reply, "stream");
            if (!sent && !(result instanceof ScanResult.Infected)) {
                return ScanResult.failed("clamd answered before the end of the message: " + LogText.escape(reply));
            }
            return result;
        }
    }

    private ScanResult contscan(Path message, long deadline) throws IOException {
        String path = message.toRealPath().toString();
        if (path.indexOf('\n') >= 0 || path.indexOf('\0') >= 0 || path.indexOf('\r') >= 0) {
            return ScanResult.failed("spool path unusable for CONTSCAN: " + LogText.escape(path));
        }
        try (ClamdConnection c = connect(deadline)) {
            c.write(command("zCONTSCAN " + path));
            return verdict(c.readReply(MAX_REPLY), path);
        }
    }

    /**
     * Reads clamd's verdict on {@code subject}: {@code <subject>: OK}, {@code <subject>: <name>
     * FOUND} or anything else, which is a failure.
     */
    static ScanResult verdict(String reply, String subject) {
        String prefix = subject + ": ";
        if (reply.equals(prefix + "OK")) {
            return ScanResult.clean();
        }
        if (reply.startsWith(prefix) && reply.endsWith(" FOUND") && reply.indexOf('\n') < 0
                && reply.length() > prefix.length() + " FOUND".length()) {
            String name = reply.substring(prefix.length(), reply.length() - " FOUND".length()).strip();
            if (!name.isEmpty()) {
                return ScanResult.infected(name);
            }
        }
        return ScanResult.failed("clamd answered: " + LogText.escape(reply));
    }

    /**
     * Checks that clamd answers {@code PONG} to {@code PING}, then asks for its version for
     * {@link #description()}.
     */
    @Override
    public void probe() throws IOException {
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        try (ClamdConnection c = connect(deadline)) {
            c.write(command("zPING"));
            String reply = c.readReply(MAX_REPLY);
            if (!reply.equals("PONG")) {
                throw new IOException("clamd at " + where() + " answered PING with: " + LogText.escape(reply));
            }
        } catch (UnresolvedAddressException e) {
            throw new IOException("clamd host unknown: " + where(), e);
        }
        version = fetchVersion(deadline);
    }

    private String fetchVersion(long deadline) throws IOException {
        try (ClamdConnection c = connect(deadline)) {
            c.write(command("zVERSION"));
            String reply = LogText.printable(c.readReply(MAX_REPLY)).strip();
            if (reply.isEmpty()) {
                throw new IOException("clamd at " + where() + " answered VERSION with nothing");
            }
            return reply.length() > MAX_DESCRIPTION ? reply.substring(0, MAX_DESCRIPTION) : reply;
        } catch (UnresolvedAddressException e) {
            throw new IOException("clamd host unknown: " + where(), e);
        }
    }

    /**
     * Returns clamd's version as it answered the last {@link #probe()} (such as
     * {@code ClamAV 1.0.7/27400/Tue Sep 10 08:34:20 2024}), asking for it if no probe has; or
     * {@code clamd at <address>} when clamd does not say. Printable ASCII only.
     */
    @Override
    public String description() {
        String v = version;
        if (v == null) {
            try {
                v = fetchVersion(System.nanoTime() + totalTimeout.toNanos());
                version = v;
            } catch (IOException | RuntimeException e) {
                return "clamd at " + where();
            }
        }
        return v;
    }

    private ClamdConnection connect(long deadline) throws IOException {
        SocketAddress address = unixSocket.<SocketAddress>map(UnixDomainSocketAddress::of)
                .orElseGet(() -> new InetSocketAddress(tcp.get().getHostString(), tcp.get().getPort()));
        try {
            return ClamdConnection.open(address, connectTimeout.toMillis(), readTimeout.toMillis(), deadline,
                    totalTimeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new IOException("cannot connect to clamd at " + where() + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer command(String command) {
        return ByteBuffer.wrap((command + "\0").getBytes(StandardCharsets.UTF_8));
    }

    private static int readFully(FileChannel file, ByteBuffer buf) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = file.read(buf);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    private String describe(Exception e) {
        if (e instanceof UnresolvedAddressException) {
            return "clamd host unknown: " + where();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() + " talking to clamd at " + where() : m;
    }

    private String where() {
        return unixSocket.map(p -> "unix:" + p)
                .orElseGet(() -> tcp.get().getHostString() + ":" + tcp.get().getPort());
    }

    @Override
    public String toString() {
        return "ClamdScanner[" + where() + ", " + mode + ", maxSize=" + maxSize + "]";
    }

    /** Builds {@link ClamdScanner}s. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Optional<Path> unixSocket = Optional.empty();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(120);
        private Duration totalTimeout = Duration.ofSeconds(600);
        private Mode mode = Mode.INSTREAM;
        private int chunkSize = 64 * 1024;
        private long maxSize = 25L * 1024 * 1024;

        private Builder() {}

        private Builder(ClamdScanner s) {
            s.tcp.ifPresent(a -> {
                host = a.getHostString();
                port = a.getPort();
            });
            unixSocket = s.unixSocket;
            connectTimeout = s.connectTimeout;
            readTimeout = s.readTimeout;
            totalTimeout = s.totalTimeout;
            mode = s.mode;
            chunkSize = s.chunkSize;
            maxSize = s.maxSize;
        }

        /** Uses clamd's TCP socket at {@code host:port} (the default is 127.0.0.1:3310). */
        public Builder tcp(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            this.unixSocket = Optional.empty();
            return this;
        }

        /** Uses clamd's Unix socket at {@code path} (clamd's {@code LocalSocket}) instead of TCP. */
        public Builder unixSocket(Path path) {
            this.unixSocket = Optional.of(Objects.requireNonNull(path, "path"));
            return this;
        }

        /** Bounds the wait for a connection to clamd (default 10 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * Bounds every wait for clamd to take more data or to answer (default 120 s); clamd answers
         * only once it has scanned the whole message, so this must cover the longest scan.
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
            return this;
        }

        /** Bounds one whole scan or probe, connection included (default 600 s, the manual's -t). */
        public Builder totalTimeout(Duration totalTimeout) {
            this.totalTimeout = Objects.requireNonNull(totalTimeout, "totalTimeout");
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Sets the size of the {@code INSTREAM} chunks, 1 byte to 16 MiB (default 64 KiB). */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /**
         * Sets the largest message scanned (default 25 MiB, clamd's default StreamMaxLength);
         * larger ones fail without a scan. Keep it at or below clamd's {@code StreamMaxLength},
         * {@code MaxFileSize} and {@code MaxScanSize}: clamd answers OK for data beyond the latter
         * two under its default {@code AlertExceedsMax no}.
         */
        public Builder maxSize(long maxSize) {
            this.maxSize = maxSize;
            return this;
        }

        /** Returns the scanner, or throws naming the setting that is out of range. */
        public ClamdScanner build() {
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(readTimeout, "readTimeout");
            requirePositive(totalTimeout, "totalTimeout");
            if (chunkSize < 1 || chunkSize > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("chunkSize out of range: " + chunkSize);
            }
            if (maxSize < 0) {
                throw new IllegalArgumentException("maxSize < 0: " + maxSize);
            }
            return new ClamdScanner(this);
        }

        private static void requirePositive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
        }
    }
}
