package org.pop3proxy.cli;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc functions the launcher uses (changing the user, the syslog socket), bound by JNA's
 * direct mapping when this class loads: no proxy class is made at run time, which an inetd start
 * would pay for on every connection. Loading it throws a {@link LinkageError} where there is no
 * JNA or libc. Failures are read from return values, errno ({@link Native#getLastError()}) only
 * after a failure: {@code getpwnam} may leave errno set even when it succeeds.
 */
final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {}

    static native Pointer getpwnam(String name);

    static native Pointer getpwuid(int uid);

    static native int setgroups(NativeLong size, Pointer list);

    static native int setgid(int gid);

    static native int setuid(int uid);

    static native int getuid();

    static native int geteuid();

    static native int getgid();

    static native int getegid();

    static native int getgroups(int size, int[] list);

    static native int socket(int domain, int type, int protocol);

    static native NativeLong sendto(int fd, byte[] buffer, NativeLong length, int flags, byte[] address,
                                    int addressLength);
}
