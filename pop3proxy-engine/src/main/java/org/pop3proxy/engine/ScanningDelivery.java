package org.pop3proxy.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.pop3proxy.api.ScanResult;
import org.pop3proxy.api.VirusScanner;
import org.pop3proxy.engine.internal.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 4: answers a RETR or TOP when a virus scanner is on. The body is spooled (un-dot-stuffed)
 * to a private temporary file, scanned, and only then answered, so that a scanner failure gives
 * {@code -ERR}, never a truncated or unscanned message. The spool file is deleted on every path.
 *
 * <p>Nothing reaches the client before the verdict: POP3 allows nothing ahead of the status line,
 * and once {@code +OK} is out a failure could no longer be reported. See docs/SCANNING.md for why
 * there is no keepalive.
 */
final class ScanningDelivery {
    private static final Logger LOG = LoggerFactory.getLogger("org.pop3proxy.session");
    /** Bytes in spool files of this process right now, against {@link ProxyConfig#maxSpoolTotal()}. */
    private static final AtomicLong SPOOLED = new AtomicLong();
    private static final int BUFFER = 64 * 1024;
    private static final byte[] TERMINATOR = {'.', '\r', '\n'};
    private static final byte[] CRLF = {'\r', '\n'};
    private static final int MAX_QUOTED_LINES = 100;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_VIRUS_NAME = 100;
    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** What became of one scanned command. */
    enum Outcome {
        /** The client received the message, or the notice that replaced it. */
        DELIVERED,
        /** Nothing was sent to the client; the session answers {@code -ERR} and ends. */
        REFUSED
    }

    private ScanningDelivery() {}

    /**
     * Answers the client for a command whose server status {@code status} was {@code +OK} and
     * whose body is next on {@code upstream}.
     */
    static Outcome deliver(ProxyConfig config, StatusLine status, Upstream upstream, OutputStream client)
            throws UpstreamFailure, ClientGone {
        Path spool;
        try {
            spool = createSpoolFile(config.spoolDirectory());
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot create a spool file in {}: {}", config.spoolDirectory(), e.getMessage());
            return Outcome.REFUSED;
        }
        AtomicLong reserved = new AtomicLong();
        try {
            if (!spoolBody(upstream, spool, config.maxScanSize(), config.maxSpoolTotal(), reserved)) {
                return Outcome.REFUSED;
            }
            VirusScanner scanner = config.virusScanner();
            ScanResult result = scanner.scan(spool);
            if (result instanceof ScanResult.Failed) {
                LOG.error("virus scan failed, message refused: {}", ((ScanResult.Failed) result).reason());
                return Outcome.REFUSED;
            }
            byte[] scanned = ("X-Proxy-Scanned: pop3proxy; " + headerText(scanner.description()) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            if (result instanceof ScanResult.Infected) {
                String name = sanitizeVirusName(((ScanResult.Infected) result).name());
                LOG.warn("virus found, message replaced by a notice: {}", name);
                byte[] notice = notice(name, scanned, quotedHeaders(spool));
                send(client, status.toClient(), new ByteArrayInputStream(notice));
            } else {
                try (InputStream body = Files.newInputStream(spool)) {
                    send(client, concat(status.toClient(), scanned), body);
                }
            }
            return Outcome.DELIVERED;
        } catch (SpoolFailure e) {
            LOG.error("cannot spool the message to {}: {}", spool, e.getMessage());
            return Outcome.REFUSED;
        } catch (IOException e) {
            // Reading the spool file for the notice or opening it failed, before anything was sent.
            LOG.error("cannot read the spool file {}: {}", spool, e.getMessage());
            return Outcome.REFUSED;
        } finally {
            SPOOLED.addAndGet(-reserved.get());
            try {
                Files.deleteIfExists(spool);
            } catch (IOException e) {
                LOG.error("cannot delete the spool file {}: {}", spool, e.getMessage());
            }
        }
    }

    /** Creates a spool file only its owner may read, where the file system knows modes. */
    static Path createSpoolFile(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, "pop3proxy-", ".eml", OWNER_ONLY);
        }
        return Files.createTempFile(dir, "pop3proxy-", ".eml");
    }

    /**
     * Copies the body that follows on {@code server} up to its terminator into {@code spool}, un-dot-stuffed
     * ({@link BodyEnd#unstuff}, the relay's own end-of-body state machine).
     * Returns false, leaving the rest unread, when it is above {@code max} bytes or when all
     * spool files of the process together would hold more than {@code maxTotal}. What it counts
     * against that total is added to {@code reserved}, for the caller to release with the file.
     */
    static boolean spoolBody(Upstream server, Path spool, long max, long maxTotal, AtomicLong reserved)
            throws UpstreamFailure, SpoolFailure {
        BodyEnd bodyEnd = new BodyEnd();
        byte[] in = new byte[BUFFER];
        byte[] out = new byte[BUFFER + 1];
        long total = 0;
        try (OutputStream file = Files.newOutputStream(spool)) {
            while (true) {
                int n = server.readBody(in);
                int used = bodyEnd.unstuff(in, 0, n, out);
                int produced = bodyEnd.produced();
                total += produced;
                if (total > max) {
                    LOG.error("message above the scan size limit of {} bytes, refused", max);
                    return false;
                }
                reserved.addAndGet(produced);
                if (SPOOLED.addAndGet(produced) > maxTotal) {
                    LOG.error("spool space of {} bytes in use, message refused", maxTotal);
                    return false;
                }
                try {
                    file.write(out, 0, produced);
                } catch (IOException e) {
                    throw new SpoolFailure(e.getMessage());
                }
                if (used >= 0) {
                    if (used < n) {
                        throw new UpstreamFailure("server sent data after the end of a body");
                    }
                    return true;
                }
            }
        } catch (IOException e) {
            throw new SpoolFailure(e.getMessage());
        }
    }

    /**
     * Writes {@code head} as it is, then {@code body} dot-stuffed, then the terminator. A failure
     * after the status line ends the connection without a terminator, so the client never takes a
     * partial message for a whole one.
     */
    private static void send(OutputStream out, byte[] head, InputStream body) throws ClientGone {
        try {
            out.write(head);
            byte[] in = new byte[BUFFER];
            byte[] buf = new byte[2 * BUFFER];
            DotStuffing stuffing = new DotStuffing();
            int n;
            while ((n = readSpool(body, in)) > 0) {
                out.write(buf, 0, stuffing.stuff(in, n, buf));
            }
            if (!stuffing.atLineStart()) {
                out.write(CRLF);
            }
            out.write(TERMINATOR);
            out.flush();
        } catch (IOException e) {
            throw new ClientGone("write to client failed: " + e.getMessage());
        }
    }

    private static int readSpool(InputStream body, byte[] in) throws ClientGone {
        try {
            return body.read(in);
        } catch (IOException e) {
            throw new ClientGone("spool file unreadable during delivery, closing without the terminator: "
                    + e.getMessage());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** Returns the notice that replaces an infected message, not yet dot-stuffed. */
    static byte[] notice(String virus, byte[] scannedHeader, String quotedHeaders) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now());
        StringBuilder b = new StringBuilder(512 + quotedHeaders.length());
        b.append("Date: ").append(date).append("\r\n");
        b.append("From: POP3 proxy <postmaster@localhost>\r\n");
        b.append("Subject: [virus removed] ").append(virus).append("\r\n");
        b.append("Message-ID: <").append(UUID.randomUUID()).append("@pop3proxy.invalid>\r\n");
        b.append("MIME-Version: 1.0\r\n");
        b.append("Content-Type: text/plain; charset=us-ascii\r\n");
        b.append("Content-Transfer-Encoding: 7bit\r\n");
        b.append(new String(scannedHeader, StandardCharsets.US_ASCII));
        b.append("\r\n");
        b.append("The POP3 proxy's virus scanner found ").append(virus).append("\r\n");
        b.append("in a message on your mail server and has withheld it.\r\n");
        b.append("\r\n");
        b.append("The original message is still on the server. Its headers were:\r\n");
        b.append("\r\n");
        b.append(quotedHeaders);
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Returns the spooled message's header section quoted for the notice: each line indented,
     * reduced by {@link LogText#headerText}, line count and bytes read capped.
     */
    static String quotedHeaders(Path spool) throws IOException {
        StringBuilder quoted = new StringBuilder();
        try (InputStream in = Files.newInputStream(spool)) {
            byte[] head = in.readNBytes(MAX_HEADER_BYTES);
            int lines = 0;
            int start = 0;
            while (start < head.length && lines < MAX_QUOTED_LINES) {
                int end = start;
                while (end < head.length && head[end] != '\n') {
                    end++;
                }
                String line = LogText.headerText(new String(head, start, end - start, StandardCharsets.ISO_8859_1));
                if (line.isEmpty()) {
                    break;
                }
                quoted.append("    ").append(line).append("\r\n");
                lines++;
                start = end + 1;
            }
            if (lines == MAX_QUOTED_LINES || start >= head.length && head.length == MAX_HEADER_BYTES) {
                quoted.append("    [...]\r\n");
            }
        }
        return quoted.toString();
    }

    /** Returns {@code name} reduced to the characters virus names use, capped; never empty. */
    static String sanitizeVirusName(String name) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < name.length() && s.length() < MAX_VIRUS_NAME; i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || ".-_:/+!@#".indexOf(c) >= 0;
            s.append(ok ? c : '_');
        }
        return s.length() == 0 ? "unknown" : s.toString();
    }

    /** Returns {@code text} as printable ASCII on one line, for a header field. */
    private static String headerText(String text) {
        String t = LogText.headerText(text).strip();
        return t.isEmpty() ? "unknown scanner" : t;
    }

    /** The spool file could not be written: a local fault, answered with {@code -ERR}. */
    static final class SpoolFailure extends Exception {
        private static final long serialVersionUID = 1L;

        SpoolFailure(String reason) {
            super(reason, null, false, false);
        }
    }
}
