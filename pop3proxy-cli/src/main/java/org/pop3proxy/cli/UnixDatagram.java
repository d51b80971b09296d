package org.pop3proxy.cli;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** An unconnected Unix-domain datagram socket that sends to one path, through libc via JNA. */
final class UnixDatagram {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    /** Linux's SOCK_CLOEXEC: the socket is not inherited by programs the proxy runs. */
    private static final int SOCK_CLOEXEC = 0x80000;
    /** sun_path's size on Linux (108) and on the BSDs (104). */
    private static final int PATH_MAX_LINUX = 108;
    private static final int PATH_MAX_BSD = 104;

    private final int fd;
    private final byte[] address;

    private UnixDatagram(int fd, byte[] address) {
        this.fd = fd;
        this.address = address;
    }

    /** Opens a socket that sends to {@code path}; fails when the path cannot be an address. */
    static UnixDatagram open(Path path) throws IOException {
        byte[] address = address(path.toString().getBytes(StandardCharsets.UTF_8), Platform.isLinux());
        int fd = LibC.socket(AF_UNIX, SOCK_DGRAM | (Platform.isLinux() ? SOCK_CLOEXEC : 0), 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed, errno " + Native.getLastError());
        }
        return new UnixDatagram(fd, address);
    }

    /** Builds a {@code struct sockaddr_un}: Linux's has a 16-bit family, the BSDs' a length byte first. */
    static byte[] address(byte[] path, boolean linux) throws IOException {
        int max = linux ? PATH_MAX_LINUX : PATH_MAX_BSD;
        if (path.length == 0 || path.length >= max) {
            throw new IOException("socket path length " + path.length + " not in 1.." + (max - 1));
        }
        ByteBuffer b = ByteBuffer.allocate(2 + path.length + 1).order(ByteOrder.nativeOrder());
        if (linux) {
            b.putShort((short) AF_UNIX);
        } else {
            b.put((byte) (2 + path.length + 1)).put((byte) AF_UNIX);
        }
        b.put(path).put((byte) 0);
        return b.array();
    }

    /** Sends one datagram; returns whether the kernel took it. */
    boolean send(byte[] datagram) {
        NativeLong sent = LibC.sendto(fd, datagram, new NativeLong(datagram.length), 0, address, address.length);
        return sent.longValue() == datagram.length;
    }
}
