package org.pop3proxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status buffer is borrowed only while a reply is in flight, and given back on every path. */
class UpstreamBufferTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Upstream upstream(String wire, List<Integer> chunks) {
        return new Upstream(new Chunked(bytes(wire), chunks), OutputStream.nullOutputStream(), () -> { });
    }

    @Test
    void aLoneStatusLineLeavesNoBufferHeld() throws Exception {
        for (int chunk = 1; chunk <= 12; chunk++) {
            Upstream up = upstream("+OK hello\r\n+OK 2 320\r\n", List.of(chunk));
            assertFalse(up.holdsBuffer());
            assertEquals("+OK hello", up.readStatus().toString());
            assertEquals("+OK 2 320", up.readStatus().toString());
            assertFalse(up.holdsBuffer(), "chunk " + chunk);
            assertFalse(up.hasUnread());
        }
    }

    @Test
    void bodyBytesThatCameWithTheStatusAreHeldUntilRelayed() throws Exception {
        String body = "line 1\r\n..dot\r\n.\r\n";
        Upstream up = upstream("+OK 20 octets\r\n" + body, List.of());
        assertTrue(up.readStatus().ok());
        assertTrue(up.holdsBuffer());
        assertTrue(up.hasUnread());
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        up.relayBody(client);
        assertArrayEquals(bytes(body), client.toByteArray());
        assertFalse(up.holdsBuffer());
    }

    @Test
    void aBodyPartlyBufferedIsRelayedByteForByte() throws Exception {
        String body = "x".repeat(3000) + "\r\n.\r\n";
        Upstream up = upstream("+OK\r\n" + body, List.of(700));
        assertTrue(up.readStatus().ok());
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        up.relayBody(client);
        assertArrayEquals(bytes(body), client.toByteArray());
        assertFalse(up.holdsBuffer());
    }

    @Test
    void readBodyGivesTheBufferBackOnceDrained() throws Exception {
        Upstream up = upstream("+OK\r\nabcdef", List.of());
        assertTrue(up.readStatus().ok());
        byte[] b = new byte[4];
        assertEquals(4, up.readBody(b));
        assertTrue(up.holdsBuffer());
        assertEquals(2, up.readBody(b));
        assertFalse(up.holdsBuffer());
    }

    @Test
    void failuresGiveTheBufferBackOrCloseDoes() {
        Upstream malformed = upstream("HELLO\r\n", List.of());
        assertThrows(UpstreamFailure.class, malformed::readStatus);
        assertFalse(malformed.holdsBuffer());

        Upstream cut = upstream("+OK no end", List.of(3));
        assertThrows(UpstreamFailure.class, cut::readStatus);
        cut.close();
        assertFalse(cut.holdsBuffer());

        Upstream tooLong = upstream("+OK " + "y".repeat(StatusLine.MAX_LENGTH + 10) + "\r\n", List.of(100));
        assertThrows(UpstreamFailure.class, tooLong::readStatus);
        tooLong.close();
        assertFalse(tooLong.holdsBuffer());
    }

    @Test
    void serverSpeakingOutOfTurnIsStillCaught() throws Exception {
        Upstream up = upstream("+OK\r\n+OK extra\r\n", List.of());
        assertTrue(up.readStatus().ok());
        assertTrue(up.hasUnread());
        assertThrows(UpstreamFailure.class, () -> up.send("NOOP"));
        up.close();
        assertFalse(up.holdsBuffer());
    }

    /** Counts the reads that reach the stream below. */
    private static final class CountingReads extends FilterInputStream {
        int reads;

        CountingReads(byte[] data, List<Integer> chunks) {
            super(new Chunked(data, chunks));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads++;
            return super.read(b, off, len);
        }
    }

    @Test
    void aStatusLineWithItsBodyIsOneReadWhenABodyFollows() throws Exception {
        String body = "x".repeat(3000) + "\r\n.\r\n";
        CountingReads wire = new CountingReads(bytes("+OK 3005 octets\r\n" + body), List.of());
        Upstream up = new Upstream(wire, OutputStream.nullOutputStream(), () -> { });
        StatusLine status = up.readStatus(true);
        assertTrue(up.holdsBuffer());
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        up.relayBody(client, status.toClient());
        assertEquals(1, wire.reads, "the status line and the body in one read");
        assertArrayEquals(bytes("+OK 3005 octets\r\n" + body), client.toByteArray());
        assertFalse(up.holdsBuffer());
    }

    @Test
    void aBodyReadWithItsStatusLineIsRelayedByteForByteWhateverTheSegments() throws Exception {
        String body = "a\r\n..b\r\n" + "y".repeat(70_000) + "\r\n.\r\n";
        for (List<Integer> chunks : List.of(List.<Integer>of(), List.of(1), List.of(5), List.of(17, 4096),
                List.of(65_536), List.of(BufferPool.SIZE - 3))) {
            Upstream up = upstream("+OK\r\n" + body, chunks);
            StatusLine status = up.readStatus(true);
            ByteArrayOutputStream client = new ByteArrayOutputStream();
            up.relayBody(client, status.toClient());
            assertArrayEquals(bytes("+OK\r\n" + body), client.toByteArray(), "chunks " + chunks);
            assertFalse(up.holdsBuffer());
        }
    }

    @Test
    void aBareLineFeedStatusBeforeAFullBufferOfBodyLosesNoByte() throws Exception {
        // "+OK\n" goes to the client as "+OK\r\n", one octet longer than it came: with a body
        // buffer filled by the first read, status and body no longer fit in it together.
        String body = "z".repeat(BufferPool.SIZE + 100) + "\r\n.\r\n";
        Upstream up = upstream("+OK\n" + body, List.of());
        StatusLine status = up.readStatus(true);
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        up.relayBody(client, status.toClient());
        assertArrayEquals(bytes("+OK\r\n" + body), client.toByteArray());
    }

    @Test
    void aNegativeReplyWhereABodyWasExpectedHoldsNoBuffer() throws Exception {
        Upstream up = upstream("-ERR no such message\r\n", List.of());
        assertFalse(up.readStatus(true).ok());
        assertFalse(up.holdsBuffer());
        assertFalse(up.hasUnread());
    }

    @Test
    void aClientGoneDuringTheRelayGivesTheBodyBufferBackOnce() throws Exception {
        Upstream up = upstream("+OK\r\n" + "w".repeat(100_000) + "\r\n.\r\n", List.of());
        StatusLine status = up.readStatus(true);
        OutputStream gone = new BrokenOutput();
        assertThrows(ClientGone.class, () -> up.relayBody(gone, status.toClient()));
        up.close();
        assertFalse(up.holdsBuffer());
        // Given back twice, the same buffer would be lent to two relays at once.
        byte[] first = BufferPool.take();
        byte[] second = BufferPool.take();
        assertNotSame(first, second);
        BufferPool.give(second);
        BufferPool.give(first);
    }
}
