package org.pop3proxy.engine;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.engine.internal.LogText;

/**
 * Reads one HAProxy PROXY protocol header (v1 or v2) byte-exactly, never a byte past its end,
 * so that what follows (TLS or POP3) is untouched. A header that breaks the specification is a
 * {@link Malformed}; the connection must then be closed.
 */
final class ProxyHeader {
    /** v1: the longest header, CRLF included. */
    static final int V1_MAX = 107;
    /** v2: the 12-byte signature. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    /** The header broke the protocol; the reason is safe to log. */
    static final class Malformed extends IOException {
        private static final long serialVersionUID = 1L;

        Malformed(String reason) {
            super(reason);
        }
    }

    private ProxyHeader() {}

    /**
     * Reads the header from {@code socket}, all of it within {@code timeout}, and returns the
     * client it names; {@code real} (the socket's own addresses) when it names none (v1
     * {@code UNKNOWN}, v2 {@code LOCAL} or a family other than TCP over IPv4/IPv6).
     */
    static ClientInfo read(Socket socket, ClientInfo real, Duration timeout) throws IOException {
        int old = socket.getSoTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream raw = socket.getInputStream();
        InputStream bounded = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("PROXY header not complete within " + timeout.toSeconds() + " s");
                }
                socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
                return raw.read(b, off, len);
            }
        };
        try {
            return read(bounded, real);
        } finally {
            socket.setSoTimeout(old);
        }
    }

    /** Reads the header from {@code in}, byte-exactly; see {@link #read(Socket, ClientInfo, Duration)}. */
    static ClientInfo read(InputStream in, ClientInfo real) throws IOException {
        int first = next(in);
        if (first == 'P') {
            return v1(in, real);
        }
        if (first == V2_SIGNATURE[0]) {
            return v2(in, real);
        }
        throw new Malformed("no PROXY protocol header (first byte 0x" + Integer.toHexString(first) + ")");
    }

    private static ClientInfo v1(InputStream in, ClientInfo real) throws IOException {
        byte[] line = new byte[V1_MAX];
        line[0] = 'P';
        int len = 1;
        while (true) {
            if (len == V1_MAX) {
                throw new Malformed("PROXY v1 header longer than " + V1_MAX + " bytes");
            }
            int b = next(in);
            line[len++] = (byte) b;
            if (b == '\n') {
                break;
            }
        }
        if (len < V1_PREFIX.length + 2 || line[len - 2] != '\r'
                || !Arrays.equals(line, 0, V1_PREFIX.length, V1_PREFIX, 0, V1_PREFIX.length)) {
            throw new Malformed("PROXY v1 header not of the form PROXY ... CRLF");
        }
        String text = new String(line, V1_PREFIX.length, len - 2 - V1_PREFIX.length, StandardCharsets.US_ASCII);
        String[] f = text.split(" ", -1);
        if (f[0].equals("UNKNOWN")) {
            return real;
        }
        if (f.length != 5 || !(f[0].equals("TCP4") || f[0].equals("TCP6"))) {
            throw new Malformed("PROXY v1 header: expected TCP4|TCP6|UNKNOWN and four fields: " + LogText.escape(text));
        }
        boolean v6 = f[0].equals("TCP6");
        InetAddress src = address(f[1], v6);
        InetAddress dst = address(f[2], v6);
        return new ClientInfo(new InetSocketAddress(dst, port(f[4])), new InetSocketAddress(src, port(f[3])));
    }

    private static InetAddress address(String text, boolean v6) throws Malformed {
        InetAddress a = ProxyProtocol.ipLiteral(text);
        if (a == null || (v6 != (text.indexOf(':') >= 0))) {
            throw new Malformed("PROXY v1 header: bad " + (v6 ? "IPv6" : "IPv4") + " address " + LogText.escape(text));
        }
        return a;
    }

    private static int port(String text) throws Malformed {
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) > 65535) {
            throw new Malformed("PROXY v1 header: bad port " + LogText.escape(text));
        }
        return Integer.parseInt(text);
    }

    private static ClientInfo v2(InputStream in, ClientInfo real) throws IOException {
        byte[] rest = readFully(in, V2_SIGNATURE.length - 1 + 4);
        if (!Arrays.equals(rest, 0, V2_SIGNATURE.length - 1, V2_SIGNATURE, 1, V2_SIGNATURE.length)) {
            throw new Malformed("no PROXY protocol header (bad v2 signature)");
        }
        int verCmd = rest[11] & 0xff;
        int family = rest[12] & 0xff;
        int length = ((rest[13] & 0xff) << 8) | (rest[14] & 0xff);
        if (verCmd >> 4 != 2) {
            throw new Malformed("PROXY v2 header: version " + (verCmd >> 4) + " is not 2");
        }
        int command = verCmd & 0x0f;
        if (command > 1) {
            throw new Malformed("PROXY v2 header: unknown command " + command);
        }
        byte[] body = readFully(in, length);
        if (command == 0) {
            return real;
        }
        int addressLength;
        switch (family) {
            case 0x11:
                addressLength = 4;
                break;
            case 0x21:
                addressLength = 16;
                break;
            default:
                // UNSPEC, UDP, UNIX: nothing a TCP client address can be made of.
                return real;
        }
        if (length < 2 * addressLength + 4) {
            throw new Malformed("PROXY v2 header: " + length + " bytes cannot hold the addresses");
        }
        try {
            InetAddress src = InetAddress.getByAddress(Arrays.copyOfRange(body, 0, addressLength));
            InetAddress dst = InetAddress.getByAddress(Arrays.copyOfRange(body, addressLength, 2 * addressLength));
            int at = 2 * addressLength;
            int srcPort = ((body[at] & 0xff) << 8) | (body[at + 1] & 0xff);
            int dstPort = ((body[at + 2] & 0xff) << 8) | (body[at + 3] & 0xff);
            return new ClientInfo(new InetSocketAddress(dst, dstPort), new InetSocketAddress(src, srcPort));
        } catch (UnknownHostException e) {
            throw new Malformed("PROXY v2 header: bad address");
        }
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new Malformed("connection closed inside the PROXY header");
        }
        return b;
    }

    private static int next(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed before the PROXY header ended");
        }
        return b;
    }
}
