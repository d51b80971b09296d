package org.pop3proxy.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientLineReaderTest {
    private static ClientLineReader reader(String s) {
        return new ClientLineReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void crlfAndBareLfEndLines() throws IOException {
        ClientLineReader r = reader("USER bob\r\nPASS x\nSTAT\r\n");
        assertEquals(ClientLine.of("USER bob"), r.read());
        assertEquals(ClientLine.of("PASS x"), r.read());
        assertEquals(ClientLine.of("STAT"), r.read());
        assertEquals(ClientLine.EOF, r.read());
    }

    @Test
    void controlBytesInsideALineAreRefused() throws IOException {
        ClientLineReader r = reader("USER a\rb\r\nUSER a\0b\r\nUSER a\u001bb\nUSER \u007f\nNOOP\r\n");
        assertEquals(ClientLine.BAD_BYTES, r.read());
        assertEquals(ClientLine.BAD_BYTES, r.read());
        assertEquals(ClientLine.BAD_BYTES, r.read());
        assertEquals(ClientLine.BAD_BYTES, r.read());
        assertEquals(ClientLine.of("NOOP"), r.read());
    }

    @Test
    void eightBitBytesPassUnchanged() throws IOException {
        byte[] line = {'U', 'S', 'E', 'R', ' ', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, '\r', '\n'};
        ClientLine read = new ClientLineReader(new ByteArrayInputStream(line)).read();
        assertEquals(ClientLine.Kind.LINE, read.kind());
        assertEquals("USER \u00c3\u00a9\u00ff", read.text());
    }

    @Test
    void lineOf255OctetsWithCrlfIsAcceptedAndOneMoreIsNot() throws IOException {
        String max = "X".repeat(253);
        ClientLineReader r = reader(max + "\r\n" + max + "Y\r\n" + max + "Y\nNOOP\n");
        assertEquals(ClientLine.of(max), r.read());
        assertEquals(ClientLine.TOO_LONG, r.read());
        assertEquals(ClientLine.TOO_LONG, r.read());
        assertEquals(ClientLine.of("NOOP"), r.read());
    }

    @Test
    void hugeLineIsDiscardedAndTheNextLineIsRead() throws IOException {
        ClientLineReader r = reader("A".repeat(50_000) + "\r\nNOOP\r\n");
        assertEquals(ClientLine.TOO_LONG, r.read());
        assertEquals(ClientLine.of("NOOP"), r.read());
    }

    @Test
    void endlessLineIsAFloodWithoutReadingItAll() throws IOException {
        CountingZeros in = new CountingZeros();
        assertEquals(ClientLine.FLOOD, new ClientLineReader(in).read());
        assertEquals(true, in.count < 2 * ClientLineReader.MAX_DISCARD, "read " + in.count);
    }

    @Test
    void eofInsideALineIsEof() throws IOException {
        assertEquals(ClientLine.EOF, reader("USER bo").read());
    }

    /** An endless stream of 'a' that counts what was read. */
    private static final class CountingZeros extends InputStream {
        long count;

        @Override
        public int read() {
            count++;
            return 'a';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, (byte) 'a');
            count += len;
            return len;
        }
    }
}
