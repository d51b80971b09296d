package org.pop3proxy.engine;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz targets (Jazzer) for the byte-level code that untrusted peers reach. In
 * the normal test run they replay their corpus; {@code JAZZER_FUZZ=1} fuzzes one for real (see
 * docs/SECURITY.md).
 */
class CodecFuzzTest {

    /** Any client bytes: lines come out bounded, free of control bytes, and reading ends. */
    @FuzzTest(maxDuration = "10s")
    void clientLines(byte[] input) throws IOException {
        if (input == null) {
            return;
        }
        ClientLineReader reader = new ClientLineReader(new ByteArrayInputStream(input));
        for (int i = 0; i <= input.length + 1; i++) {
            ClientLine line = reader.read();
            if (line.kind() == ClientLine.Kind.EOF || line.kind() == ClientLine.Kind.FLOOD) {
                return;
            }
            if (line.kind() == ClientLine.Kind.LINE) {
                assertTrue(line.text().length() <= ClientLineReader.MAX_CONTENT);
                assertTrue(line.text().chars().noneMatch(c -> c < 0x20 || c == 0x7f), line.text());
            }
        }
        throw new AssertionError("the reader did not reach the end of its input");
    }

    /** Any line: parsing never throws, and what goes upstream is one clean line that parses back alike. */
    @FuzzTest(maxDuration = "10s")
    void commands(String line) {
        if (line == null) {
            return;
        }
        CommandParser.Parsed parsed = CommandParser.parse(line);
        if (parsed instanceof CommandParser.Valid) {
            Command command = ((CommandParser.Valid) parsed).command();
            String wire = command.wire();
            assertTrue(wire.indexOf('\r') < 0 && wire.indexOf('\n') < 0, wire);
            CommandParser.Parsed again = CommandParser.parse(wire);
            assertEquals(command, ((CommandParser.Valid) again).command());
        }
    }

    /** Any server line: a status is accepted only when it really is +OK or -ERR. */
    @FuzzTest(maxDuration = "10s")
    void statusLines(byte[] line) {
        if (line == null) {
            return;
        }
        StatusLine status = StatusLine.parse(line, line.length);
        if (status != null) {
            String head = new String(line, 0, Math.min(4, line.length), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .toUpperCase(java.util.Locale.ROOT);
            assertTrue(status.ok() ? head.startsWith("+OK") : head.startsWith("-ERR"), head);
            assertEquals(line.length, status.raw().length);
        }
    }

    /**
     * Any server bytes in any chunking: the relay either stops right after the first terminator
     * line, having copied exactly the bytes up to it, or fails without having sent a terminator.
     */
    @FuzzTest(maxDuration = "10s")
    void relay(FuzzedDataProvider data) {
        List<Integer> chunks = new ArrayList<>();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            chunks.add(data.consumeInt(1, 100));
        }
        byte[] server = data.consumeRemainingAsBytes();
        Upstream up = new Upstream(new Chunked(server, chunks), OutputStream.nullOutputStream(), () -> { });
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        int end = terminatorEnd(server);
        try {
            up.relayBody(client);
            // Bytes after the terminator in a later segment are caught at the next command.
            assertTrue(end > 0, "completed without a terminator");
            assertArrayEquals(Arrays.copyOf(server, end), client.toByteArray());
        } catch (UpstreamFailure e) {
            byte[] sent = client.toByteArray();
            assertTrue(end < 0 || end < server.length, "failed though the body was complete");
            assertArrayEquals(Arrays.copyOf(server, sent.length), sent);
            assertTrue(end < 0 ? sent.length <= server.length : sent.length == end);
        } catch (ClientGone e) {
            throw new AssertionError(e);
        }
    }

    /** Returns the index just past the first terminator line in {@code b}, or -1. */
    private static int terminatorEnd(byte[] b) {
        boolean lineStart = true;
        for (int i = 0; i < b.length; i++) {
            if (lineStart && b[i] == '.') {
                if (i + 1 < b.length && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
            lineStart = b[i] == '\n';
        }
        return -1;
    }
}
