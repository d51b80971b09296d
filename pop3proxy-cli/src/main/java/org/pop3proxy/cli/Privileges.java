package org.pop3proxy.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.util.Objects;

/**
 * Drops root privileges to the user of the manual's {@code -u} option, through libc via JNA.
 *
 * <p>The user is a name ({@code nobody} by default) looked up with {@code getpwnam(3)}, taking
 * its primary group, or numeric {@code uid[.gid]}; a bare uid takes the group of its passwd
 * entry. The drop clears the supplementary groups, then sets the group, then the user
 * ({@code setgroups(0, NULL)}, {@code setgid}, {@code setuid}: the group must change while we
 * may still change it), and verifies afterwards that real and effective ids are the new ones,
 * no supplementary group is left, and {@code setuid(0)} fails. glibc applies {@code setuid} and
 * {@code setgid} to every thread of the process (its set-id broadcast), so JVM threads that
 * already run are dropped too. A process that is not running as root is left alone.
 *
 * <p>Call {@link #load} before binding or reading anything, so the native library is loaded
 * (and, for JNA, unpacked) while the files it needs are still readable.
 */
final class Privileges {
    /** The manual's default user. */
    static final String DEFAULT_USER = "nobody";

    private static final long MAX_ID = 0xFFFF_FFFEL;

    private Privileges() {}

    /** What {@link #drop} did. */
    sealed interface Outcome permits Dropped, NotRoot, Failed {}

    /** The process now runs as {@code uid}/{@code gid}, with no supplementary groups. */
    record Dropped(int uid, int gid) implements Outcome {
        @Override
        public String toString() {
            return "Dropped[uid=" + Integer.toUnsignedString(uid) + ", gid=" + Integer.toUnsignedString(gid) + "]";
        }
    }

    /** The process was not running as root (effective uid {@code euid}); nothing was changed. */
    record NotRoot(int euid) implements Outcome {}

    /**
     * The drop did not happen or could not be verified; {@code message} says why, for the user.
     * The caller must exit: the process may hold any mix of ids.
     */
    record Failed(String message) implements Outcome {
        Failed {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The libc functions used; JNA maps them by name. Failures are read from return values,
     * errno only after a failure: {@code getpwnam} may leave errno set even when it succeeds.
     */
    interface LibC extends Library {
        Pointer getpwnam(String name);

        Pointer getpwuid(int uid);

        int setgroups(NativeLong size, Pointer list);

        int setgid(int gid);

        int setuid(int uid);

        int getuid();

        int geteuid();

        int getgid();

        int getegid();

        int getgroups(int size, int[] list);
    }

    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    /** Loads the native binding now; returns normally or throws {@link UnsatisfiedLinkError}. */
    static void load() {
        Objects.requireNonNull(Holder.LIBC);
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    /**
     * Drops to {@code user} if running as root.
     *
     * @param user a user name, or {@code uid} or {@code uid.gid} in decimal
     * @return what happened; never throws for a bad or unknown user
     */
    static synchronized Outcome drop(String user) {
        Objects.requireNonNull(user, "user");
        LibC c;
        try {
            c = libc();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return new Failed("cannot load libc to change user: " + e.getMessage());
        }
        int euid = c.geteuid();
        if (euid != 0) {
            return new NotRoot(euid);
        }
        int[] ids;
        try {
            ids = resolve(c, user);
        } catch (IllegalArgumentException e) {
            return new Failed(e.getMessage());
        }
        int uid = ids[0];
        int gid = ids[1];
        if (c.setgroups(new NativeLong(0), Pointer.NULL) != 0) {
            return new Failed("cannot clear supplementary groups: errno " + Native.getLastError());
        }
        if (c.setgid(gid) != 0) {
            return new Failed("cannot change to group " + Integer.toUnsignedString(gid) + ": errno "
                    + Native.getLastError());
        }
        if (c.setuid(uid) != 0) {
            return new Failed("cannot change to user " + user + ": errno " + Native.getLastError());
        }
        if (c.getuid() != uid || c.geteuid() != uid || c.getgid() != gid || c.getegid() != gid) {
            return new Failed("user change to " + user + " did not take effect");
        }
        if (c.getgroups(0, null) != 0) {
            return new Failed("supplementary groups remain after the change to " + user);
        }
        if (uid != 0 && c.setuid(0) == 0) {
            return new Failed("root could be regained after the change to " + user);
        }
        return new Dropped(uid, gid);
    }

    /** Returns {uid, gid} for {@code user}, or throws with a message naming it. */
    private static int[] resolve(LibC c, String user) {
        if (user.isEmpty()) {
            throw new IllegalArgumentException("empty user name");
        }
        if (user.matches("[0-9]+(\\.[0-9]+)?")) {
            int dot = user.indexOf('.');
            int uid = id(dot < 0 ? user : user.substring(0, dot), user);
            if (dot >= 0) {
                return new int[] {uid, id(user.substring(dot + 1), user)};
            }
            Pointer pw = c.getpwuid(uid);
            if (pw == null) {
                throw new IllegalArgumentException("uid " + user + " has no passwd entry; give uid.gid");
            }
            return new int[] {uid, pw.getInt(2L * Native.POINTER_SIZE + 4)};
        }
        if (user.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("user name holds NUL");
        }
        Pointer pw = c.getpwnam(user);
        if (pw == null) {
            throw new IllegalArgumentException("unknown user: " + user);
        }
        return new int[] {pw.getInt(2L * Native.POINTER_SIZE), pw.getInt(2L * Native.POINTER_SIZE + 4)};
    }

    private static int id(String digits, String user) {
        if (digits.length() > 10 || Long.parseLong(digits) > MAX_ID) {
            throw new IllegalArgumentException("id out of range in " + user);
        }
        return (int) Long.parseLong(digits);
    }
}
