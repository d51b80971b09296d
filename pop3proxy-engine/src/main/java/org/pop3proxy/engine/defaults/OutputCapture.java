package org.pop3proxy.engine.defaults;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Captures one output stream of a child process in a private temporary file, so that the
 * child never blocks on a full pipe and no thread of ours waits on it: a background child that
 * keeps the stream open holds only its own descriptor. Keeps the first {@code limit} bytes.
 */
final class OutputCapture implements AutoCloseable {
    private final Path file;
    private final int limit;
    private byte[] bytes;
    private boolean truncated;

    private OutputCapture(Path file, int limit) {
        this.file = file;
        this.limit = limit;
    }

    /** Creates the file (mode 0600) that the child's stream is to be redirected to. */
    static OutputCapture create(int limit) throws IOException {
        Path file = Files.createTempFile("pop3proxy-acp-", ".out",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return new OutputCapture(file, limit);
    }

    File file() {
        return file.toFile();
    }

    /** Returns what the child wrote, up to the limit; read once, after the child has ended. */
    byte[] bytes() {
        if (bytes == null) {
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(limit);
                truncated = in.read() >= 0;
            } catch (IOException e) {
                bytes = new byte[0];
            }
        }
        return bytes;
    }

    /** Returns whether the child wrote more than the limit. */
    boolean truncated() {
        bytes();
        return truncated;
    }

    /** Deletes the file; a child still writing keeps only an unlinked file. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A temporary file in the temporary directory; nothing else to do.
        }
    }
}
