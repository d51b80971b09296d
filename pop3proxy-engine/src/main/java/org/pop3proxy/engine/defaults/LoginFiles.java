package org.pop3proxy.engine.defaults;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.security.SecureRandom;
import java.util.Set;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.LoginRecord;
import org.pop3proxy.api.LoginRecorder;
import org.pop3proxy.engine.internal.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the last successful login of each client in {@code <dir>/<client-ip>}, as the
 * manual's {@code -l} option does, for pop-before-smtp and quick debugging.
 *
 * <p>The file holds one line, {@code epoch client-ip server-login server}, with the server as
 * typed. It is removed when a session from that client starts and written after a successful
 * login and again at QUIT. Writing goes to a new temporary file in the same directory, created
 * exclusively (so never through a planted link) with mode {@code rw-r--r--} less the umask, then renamed over
 * the name in one atomic step: a reader sees the old line or the new one, and a symbolic link
 * planted at the name is replaced, not followed. Removal removes a link, never its target.
 *
 * <p>The name is the client's IP number: IPv4 dotted quad, IPv6 in RFC 5952 form (colons kept,
 * which Linux file names allow; any zone dropped), so it never holds {@code /} or {@code %}.
 * Blanks and control characters in the login are written as {@code ?} so the record stays one
 * line of four fields. Failures are logged, never thrown. Safe for concurrent use.
 */
public final class LoginFiles implements LoginRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(LoginFiles.class);
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;

    private LoginFiles(Path directory) {
        this.directory = directory;
    }

    /** Returns a recorder writing into {@code directory}, which is not checked until it is used. */
    public static LoginFiles in(Path directory) {
        return new LoginFiles(Objects.requireNonNull(directory, "directory"));
    }

    /** Returns the directory written to. */
    public Path directory() {
        return directory;
    }

    @Override
    public void sessionStarted(ClientInfo client) {
        try {
            Optional<String> name = fileName(client);
            if (name.isPresent()) {
                Files.deleteIfExists(directory.resolve(name.get()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot remove login file for {}: {}", client.clientAddress(), e.toString());
        }
    }

    @Override
    public void loggedIn(LoginRecord login) {
        write(login);
    }

    @Override
    public void quit(LoginRecord login) {
        write(login);
    }

    private void write(LoginRecord login) {
        Path temp = null;
        try {
            Optional<String> name = fileName(login.client());
            if (name.isEmpty()) {
                return;
            }
            byte[] line = line(login, name.get()).getBytes(StandardCharsets.US_ASCII);
            temp = writeTemp(name.get(), line);
            Files.move(temp, directory.resolve(name.get()), StandardCopyOption.ATOMIC_MOVE);
            temp = null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot write login file for {}: {}", login.client().clientAddress(), e.toString());
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("cannot remove temporary login file {}: {}", temp, e.toString());
                }
            }
        }
    }

    /**
     * Writes {@code content} to a new file with a random name in the directory, created
     * exclusively ({@code O_CREAT|O_EXCL}, which never follows a link), and returns its path.
     */
    private Path writeTemp(String name, byte[] content) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        FileAttribute<?>[] mode = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(MODE)}
                : new FileAttribute<?>[0];
        for (int attempt = 0; ; attempt++) {
            Path temp = directory.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try (SeekableByteChannel channel = Files.newByteChannel(temp, options, mode)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Returns the record line for {@code login}, newline included. */
    static String line(LoginRecord login, String clientName) {
        return login.time().getEpochSecond() + " " + clientName + " " + field(login.serverLogin())
                + " " + field(login.server().text()) + "\n";
    }

    private static String field(String s) {
        return s.isEmpty() ? "-" : LogText.word(s);
    }

    /**
     * Returns the file name for the client: its IP number, IPv6 in RFC 5952 form without zone;
     * empty (and logged) when the client has no IP number.
     */
    static Optional<String> fileName(ClientInfo client) {
        InetAddress ip = client.remote().getAddress();
        if (ip == null) {
            LOG.warn("no login file: client address {} is not an IP number", client.remote().getHostString());
            return Optional.empty();
        }
        return Optional.of(ip instanceof Inet6Address ? rfc5952(ip.getAddress()) : ip.getHostAddress());
    }

    /** Formats sixteen bytes as RFC 5952 text: lower case, no leading zeros, longest zero run as {@code ::}. */
    static String rfc5952(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "LoginFiles[" + directory + "]";
    }
}
