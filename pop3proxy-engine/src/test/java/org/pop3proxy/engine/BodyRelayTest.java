package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The multi-line relay is byte for byte, whatever the content and however TCP splits it. */
class BodyRelayTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Relays {@code body} (dot-stuffed, with terminator), then reads the reply to a next command. */
    private static byte[] relay(byte[] body, List<Integer> chunks) throws Exception {
        Chunked server = new Chunked(body, chunks);
        Upstream up = new Upstream(server, OutputStream.nullOutputStream(), () -> { });
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        up.relayBody(client);
        assertEquals(-1, server.read(), "the relay must stop at the terminator");
        return client.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        ".\r\n",
        "a\r\n.\r\n",
        "..\r\n.\r\n",
        "...\r\n..x\r\n.\r\n",
        "line with trailing blanks   \r\n\t\r\n.\r\n",
        "\r\n\r\n.\r\n",
        "a.\r\n.a\r\n\r\n.\r\n",
        ".\n",
        "x\n.\n",
        "\u00ff\u00e9\u0080 8-bit\r\n.\r\n",
        "cr\rinside\r\n.\r\n",
        "not.\r\nend\r\n.\r\n"})
    void corpusIsRelayedByteForByte(String body) throws Exception {
        for (int chunk = 1; chunk <= 7; chunk++) {
            assertArrayEquals(bytes(body), relay(bytes(body), List.of(chunk)), "chunk " + chunk);
        }
    }

    @Test
    void megabyteLinesPassWhole() throws Exception {
        String big = "x".repeat(1 << 20);
        byte[] body = bytes(big + "\r\n." + big + "\r\n.\r\n");
        assertArrayEquals(body, relay(body, List.of(1400, 7, 65536, 3)));
    }

    @Test
    void bodyCutOffByTheServerIsNeverCompleted() {
        byte[] partial = bytes("Subject: x\r\n\r\nhalf a message\r\n");
        Upstream up = new Upstream(new Chunked(partial, List.of(5)), OutputStream.nullOutputStream(), () -> { });
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        assertThrows(UpstreamFailure.class, () -> up.relayBody(client));
        assertTrue(!client.toString(StandardCharsets.ISO_8859_1).contains("\r\n.\r\n"));
    }

    @Test
    void dataAfterTheTerminatorInTheSameSegmentIsAFailure() {
        byte[] wire = bytes("a\r\n.\r\n+OK unasked\r\n");
        Upstream up = new Upstream(new Chunked(wire, List.of()), OutputStream.nullOutputStream(), () -> { });
        assertThrows(UpstreamFailure.class, () -> up.relayBody(new ByteArrayOutputStream()));
    }

    /** Reads the status line of {@code wire} and relays it with the body that follows, as RETR does. */
    private static byte[] relayWithStatus(byte[] wire, List<Integer> chunks, List<Integer> writes) throws Exception {
        Chunked server = new Chunked(wire, chunks);
        Upstream up = new Upstream(server, OutputStream.nullOutputStream(), () -> { });
        ByteArrayOutputStream client = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes.add(len);
                super.write(b, off, len);
            }
        };
        StatusLine status = up.readStatus();
        up.relayBody(client, status.toClient());
        assertEquals(-1, server.read(), "the relay must stop at the terminator");
        return client.toByteArray();
    }

    @Test
    void aSmallMessageLeavesInOneWriteWithItsStatusLine() throws Exception {
        byte[] body = dotStuff(bytes("Subject: small\r\n\r\n" + "x".repeat(70).concat("\r\n").repeat(28)));
        byte[] wire = concat(bytes("+OK 2048 octets\r\n"), body);
        List<Integer> writes = new ArrayList<>();
        // The status line's read brings the first 1,024 octets; the rest comes in a second segment.
        assertArrayEquals(wire, relayWithStatus(wire, List.of(1024, 65536), writes));
        assertEquals(List.of(wire.length), writes, "status line and body in one write");
    }

    @Property(tries = 300)
    void statusAndBodySurviveRandomChunking(@ForAll("messages") byte[] message,
                                            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 3000) Integer> chunks)
            throws Exception {
        byte[] wire = concat(bytes("+OK message follows\r\n"), dotStuff(message));
        assertArrayEquals(wire, relayWithStatus(wire, chunks, new ArrayList<>()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Property(tries = 300)
    void randomMessagesSurviveRandomChunking(@ForAll("messages") byte[] message,
                                             @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 3000) Integer> chunks)
            throws Exception {
        byte[] wire = dotStuff(message);
        byte[] got = relay(wire, chunks);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest(wire), sha.digest(got));
        assertEquals(wire.length, got.length);
    }

    @Provide
    Arbitrary<byte[]> messages() {
        Arbitrary<String> line = Arbitraries.oneOf(
                Arbitraries.strings().withChars(".\r\t \u00ff\u0080xX:").ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(40).map(s -> s.replace('\n', ' ')),
                Arbitraries.just("."), Arbitraries.just(".."), Arbitraries.just(""),
                Arbitraries.strings().withChars('a', 'z').ofMinLength(2000).ofMaxLength(9000));
        return line.list().ofMaxSize(40).map(lines -> bytes(String.join("\n", lines)
                .chars().mapToObj(c -> String.valueOf((char) (c & 0xff))).reduce("", String::concat)));
    }

    /** Turns raw message bytes into a POP3 body: CRLF lines, dot-stuffed, with the terminator. */
    static byte[] dotStuff(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (byte b : message) {
            if (b == '\n') {
                out.write('\r');
                out.write('\n');
                lineStart = true;
                continue;
            }
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.writeBytes(bytes(".\r\n"));
        return out.toByteArray();
    }
}
