package org.pop3proxy.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pop3proxy.api.ClientInfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PROXY protocol header, v1 and v2, read byte-exactly; and the allowed-source list. */
class ProxyHeaderTest {
    private static final ClientInfo REAL = new ClientInfo(new InetSocketAddress("127.0.0.1", 110),
            new InetSocketAddress("127.0.0.1", 50000));

    private static ByteArrayInputStream stream(byte[] header) {
        byte[] all = new byte[header.length + 4];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy("NEXT".getBytes(StandardCharsets.US_ASCII), 0, all, header.length, 4);
        return new ByteArrayInputStream(all);
    }

    private static ClientInfo readExactly(byte[] header) throws IOException {
        ByteArrayInputStream in = stream(header);
        ClientInfo info = ProxyHeader.read(in, REAL);
        assertEquals("NEXT", new String(in.readAllBytes(), StandardCharsets.US_ASCII), "read past the header");
        return info;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void v1Tcp4() throws IOException {
        ClientInfo info = readExactly(ascii("PROXY TCP4 203.0.113.7 192.0.2.1 56324 110\r\n"));
        assertEquals("203.0.113.7", info.clientAddress());
        assertEquals(56324, info.remote().getPort());
        assertEquals("192.0.2.1", info.interfaceAddress());
        assertEquals(110, info.local().getPort());
    }

    @Test
    void v1Tcp6() throws IOException {
        ClientInfo info = readExactly(ascii("PROXY TCP6 2001:db8::7 2001:db8::1 4000 995\r\n"));
        assertEquals(InetAddress.getByName("2001:db8::7"), info.remote().getAddress());
        assertEquals(995, info.local().getPort());
    }

    @Test
    void v1UnknownKeepsTheRealAddresses() throws IOException {
        assertSame(REAL, readExactly(ascii("PROXY UNKNOWN\r\n")));
        assertSame(REAL, readExactly(ascii("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")));
    }

    @Test
    void v1MalformedHeadersAreRefused() {
        for (String bad : new String[] {
            "PROXY TCP4 203.0.113.7 192.0.2.1 56324 110\n",
            "PROXY TCP4 203.0.113.7 192.0.2.1 56324\r\n",
            "PROXY TCP4 2001:db8::7 192.0.2.1 1 2\r\n",
            "PROXY TCP6 203.0.113.7 2001:db8::1 1 2\r\n",
            "PROXY TCP4 mail.example 192.0.2.1 1 2\r\n",
            "PROXY TCP4 203.0.113.7 192.0.2.1 65536 110\r\n",
            "PROXY TCP4 256.0.113.7 192.0.2.1 1 110\r\n",
            "PROXY UDP4 203.0.113.7 192.0.2.1 1 110\r\n",
            "PROXY  TCP4 203.0.113.7 192.0.2.1 1 110\r\n",
            "PROXY TCP4 203.0.113.7 192.0.2.1 1 110 " + "x".repeat(80) + "\r\n",
            "USER bob\r\n",
        }) {
            assertThrows(ProxyHeader.Malformed.class, () -> ProxyHeader.read(stream(ascii(bad)), REAL), bad);
        }
    }

    @Test
    void v1NeverReadsMoreThan107Bytes() {
        ByteArrayInputStream in = new ByteArrayInputStream(ascii("PROXY " + "1".repeat(200) + "\r\n"));
        assertThrows(ProxyHeader.Malformed.class, () -> ProxyHeader.read(in, REAL));
        assertEquals(202 + 6 - ProxyHeader.V1_MAX, in.available());
    }

    @Test
    void endOfStreamInsideTheHeaderIsAnError() {
        assertThrows(IOException.class, () -> ProxyHeader.read(new ByteArrayInputStream(ascii("PROXY TCP4 1.2.3.4")), REAL));
        assertThrows(IOException.class, () -> ProxyHeader.read(new ByteArrayInputStream(v2(0x21, 0x11, 12, 5)), REAL));
    }

    /** Builds a v2 header with {@code length} bytes of address data, of which {@code body} are given. */
    private static byte[] v2(int verCmd, int family, int length, int body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ProxyHeader.V2_SIGNATURE);
        b.write(verCmd);
        b.write(family);
        b.write(length >> 8);
        b.write(length & 0xff);
        for (int i = 0; i < body; i++) {
            b.write(i < 4 ? new int[] {198, 51, 100, 9}[i] : i < 8 ? 10 : i == 8 ? 0x12 : i == 9 ? 0x34 : i == 10 ? 0 : i == 11 ? 110 : 0xee);
        }
        return b.toByteArray();
    }

    @Test
    void v2Tcp4WithTlvsSkipped() throws IOException {
        ClientInfo info = readExactly(v2(0x21, 0x11, 12 + 7, 12 + 7));
        assertEquals("198.51.100.9", info.clientAddress());
        assertEquals(0x1234, info.remote().getPort());
        assertEquals("10.10.10.10", info.interfaceAddress());
        assertEquals(110, info.local().getPort());
    }

    @Test
    void v2Tcp6() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ProxyHeader.V2_SIGNATURE);
        b.writeBytes(new byte[] {0x21, 0x21, 0, 36});
        b.writeBytes(InetAddress.getByName("2001:db8::7").getAddress());
        b.writeBytes(InetAddress.getByName("2001:db8::1").getAddress());
        b.writeBytes(new byte[] {(byte) 0xfd, (byte) 0xe8, 0x03, (byte) 0xe3});
        ClientInfo info = readExactly(b.toByteArray());
        assertEquals(InetAddress.getByName("2001:db8::7"), info.remote().getAddress());
        assertEquals(65000, info.remote().getPort());
        assertEquals(995, info.local().getPort());
    }

    @Test
    void v2LocalAndOtherFamiliesKeepTheRealAddresses() throws IOException {
        assertSame(REAL, readExactly(v2(0x20, 0x00, 0, 0)));
        assertSame(REAL, readExactly(v2(0x20, 0x11, 12, 12)));
        assertSame(REAL, readExactly(v2(0x21, 0x00, 3, 3)));
        assertSame(REAL, readExactly(v2(0x21, 0x31, 216, 216)));
    }

    @Test
    void v2MalformedHeadersAreRefused() {
        assertThrows(ProxyHeader.Malformed.class, () -> ProxyHeader.read(stream(v2(0x11, 0x11, 12, 12)), REAL));
        assertThrows(ProxyHeader.Malformed.class, () -> ProxyHeader.read(stream(v2(0x22, 0x11, 12, 12)), REAL));
        assertThrows(ProxyHeader.Malformed.class, () -> ProxyHeader.read(stream(v2(0x21, 0x11, 8, 8)), REAL));
        byte[] badSignature = v2(0x21, 0x11, 12, 12);
        badSignature[6] = 'X';
        assertThrows(ProxyHeader.Malformed.class, () -> ProxyHeader.read(stream(badSignature), REAL));
    }

    @Test
    void allowedSourcesAreIpsAndCidrs() throws IOException {
        ProxyProtocol p = ProxyProtocol.allowFrom("10.0.0.5, 192.168.8.0/22 2001:db8::/32,::1");
        assertTrue(p.allows(InetAddress.getByName("10.0.0.5")));
        assertFalse(p.allows(InetAddress.getByName("10.0.0.6")));
        assertTrue(p.allows(InetAddress.getByName("192.168.11.255")));
        assertFalse(p.allows(InetAddress.getByName("192.168.12.0")));
        assertTrue(p.allows(InetAddress.getByName("2001:db8:ffff::1")));
        assertFalse(p.allows(InetAddress.getByName("2001:db9::1")));
        assertTrue(p.allows(InetAddress.getByName("::1")));
        assertFalse(p.allows(InetAddress.getByName("127.0.0.1")));
        assertTrue(ProxyProtocol.allowFrom("0.0.0.0/0").allows(InetAddress.getByName("203.0.113.1")));
    }

    @Test
    void badSourceListsAreRefused() {
        for (String bad : new String[] {"", " , ", "lb.example", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.1/x"}) {
            assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.allowFrom(bad), bad);
        }
    }
}
