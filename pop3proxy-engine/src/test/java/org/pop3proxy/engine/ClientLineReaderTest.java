package org.pop3proxy.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void linesSplitAtEveryPointStillParseAndNoBufferIsKept() throws IOException {
        String max = "X".repeat(253);
        String wire = "USER bob\r\nPASS a:b\r\n" + "RETR 1\r\n".repeat(12) + max + "\r\n" + max + "YZ\r\nA"
                + "B".repeat(400) + "\r\nNOOP\n";
        List<ClientLine> expected = new ArrayList<>(List.of(ClientLine.of("USER bob"), ClientLine.of("PASS a:b")));
        for (int i = 0; i < 12; i++) {
            expected.add(ClientLine.of("RETR 1"));
        }
        expected.addAll(List.of(ClientLine.of(max), ClientLine.TOO_LONG, ClientLine.TOO_LONG, ClientLine.of("NOOP"),
                ClientLine.EOF));
        for (int chunk = 1; chunk <= 70; chunk++) {
            ClientLineReader r = new ClientLineReader(new Chunked(wire.getBytes(StandardCharsets.ISO_8859_1),
                    List.of(chunk, chunk + 3, 1)));
            for (ClientLine e : expected) {
                assertEquals(e, r.read(), "chunk " + chunk);
            }
            assertFalse(r.borrowing(), "chunk " + chunk);
        }
    }

    @Test
    void anIdleWaitReadsIntoTheSmallOwnBuffer() throws IOException {
        ReadSizes in = new ReadSizes(new ByteArrayInputStream("NOOP\r\nSTAT\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        ClientLineReader r = new ClientLineReader(in);
        assertEquals(ClientLine.of("NOOP"), r.read());
        assertFalse(r.borrowing());
        assertEquals(ClientLine.of("STAT"), r.read());
        assertEquals(ClientLine.EOF, r.read());
        assertEquals(List.of(ClientLineReader.OWN, ClientLineReader.OWN), in.lengths);
    }

    @Test
    void pipelinedCommandsBeyondTheOwnBufferAreKeptThenTheBufferGoesBack() throws IOException {
        String batch = "RETR 1\r\n".repeat(40);
        ClientLineReader r = new ClientLineReader(new Chunked(batch.getBytes(StandardCharsets.ISO_8859_1),
                List.of(3, batch.length())));
        for (int i = 0; i < 40; i++) {
            assertEquals(ClientLine.of("RETR 1"), r.read());
            assertEquals(i < 39, r.hasUnread(), "line " + i);
        }
        assertFalse(r.borrowing());
        assertEquals(ClientLine.EOF, r.read());
    }

    @Test
    void aFailedReadInsideALineGivesTheBufferBack() {
        InputStream in = new InputStream() {
            private int calls;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (calls++ == 0) {
                    b[off] = 'U';
                    return 1;
                }
                throw new IOException("reset");
            }
        };
        ClientLineReader r = new ClientLineReader(in);
        assertThrows(IOException.class, r::read);
        assertFalse(r.borrowing());
        assertFalse(r.hasUnread());
    }

    @Test
    void floodAndEofGiveTheBufferBack() throws IOException {
        ClientLineReader flood = new ClientLineReader(new CountingZeros());
        assertEquals(ClientLine.FLOOD, flood.read());
        assertFalse(flood.borrowing());
        ClientLineReader eof = reader("X".repeat(300));
        assertEquals(ClientLine.EOF, eof.read());
        assertFalse(eof.borrowing());
    }

    @Test
    void theSmallPoolLendsKeptBuffersAgainAndDropsForeignSizes() {
        byte[] b = BufferPool.SMALL.lend();
        assertEquals(BufferPool.SMALL_SIZE, b.length);
        BufferPool.SMALL.takeBack(new byte[7]);
        BufferPool.SMALL.takeBack(b);
        boolean seen = false;
        List<byte[]> taken = new ArrayList<>();
        for (int i = 0; i <= BufferPool.SMALL_KEEP && !seen; i++) {
            byte[] next = BufferPool.SMALL.lend();
            assertEquals(BufferPool.SMALL_SIZE, next.length);
            seen = next == b;
            taken.add(next);
        }
        taken.forEach(BufferPool.SMALL::takeBack);
        assertTrue(seen, "a returned buffer is lent again");
        assertTrue(BufferPool.SMALL.kept() <= BufferPool.SMALL_KEEP);
    }

    /** Records the length asked of each read. */
    private static final class ReadSizes extends InputStream {
        private final InputStream in;
        final List<Integer> lengths = new ArrayList<>();

        ReadSizes(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            lengths.add(len);
            return in.read(b, off, len);
        }
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
