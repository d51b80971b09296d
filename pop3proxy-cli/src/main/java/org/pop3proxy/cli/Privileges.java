package org.pop3proxy.cli;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * Tells whether this process runs as root (effective uid 0). Reads the owner of
     * {@code /proc/self} (the effective uid, on Linux) so that a process that is not root never
     * loads the native binding; elsewhere asks libc.
     */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            try {
                return LibC.geteuid() == 0;
            } catch (LinkageError | RuntimeException noLibc) {
                return false;
            }
        }
    }

    /** Loads the native binding now; returns normally or throws a {@link LinkageError}. */
    static void load() {
        LibC.geteuid();
    }

    /**
     * Drops to {@code user} if running as root.
     *
     * @param user a user name, or {@code uid} or {@code uid.gid} in decimal
     * @return what happened; never throws for a bad or unknown user
     */
    static synchronized Outcome drop(String user) {
        Objects.requireNonNull(user, "user");
        try {
            load();
        } catch (LinkageError | RuntimeException e) {
            return new Failed("cannot load libc to change user: " + e.getMessage());
        }
        int euid = LibC.geteuid();
        if (euid != 0) {
            return new NotRoot(euid);
        }
        int[] ids;
        try {
            ids = resolve(user);
        } catch (IllegalArgumentException e) {
            return new Failed(e.getMessage());
        }
        int uid = ids[0];
        int gid = ids[1];
        if (LibC.setgroups(new NativeLong(0), Pointer.NULL) != 0) {
            return new Failed("cannot clear supplementary groups: errno " + Native.getLastError());
        }
        if (LibC.setgid(gid) != 0) {
            return new Failed("cannot change to group " + Integer.toUnsignedString(gid) + ": errno "
                    + Native.getLastError());
        }
        if (LibC.setuid(uid) != 0) {
            return new Failed("cannot change to user " + user + ": errno " + Native.getLastError());
        }
        if (LibC.getuid() != uid || LibC.geteuid() != uid || LibC.getgid() != gid || LibC.getegid() != gid) {
            return new Failed("user change to " + user + " did not take effect");
        }
        if (LibC.getgroups(0, null) != 0) {
            return new Failed("supplementary groups remain after the change to " + user);
        }
        if (uid != 0 && LibC.setuid(0) == 0) {
            return new Failed("root could be regained after the change to " + user);
        }
        return new Dropped(uid, gid);
    }

    /** Returns {uid, gid} for {@code user}, or throws with a message naming it. */
    private static int[] resolve(String user) {
        if (user.isEmpty()) {
            throw new IllegalArgumentException("empty user name");
        }
        if (user.matches("[0-9]+(\\.[0-9]+)?")) {
            int dot = user.indexOf('.');
            int uid = id(dot < 0 ? user : user.substring(0, dot), user);
            if (dot >= 0) {
                return new int[] {uid, id(user.substring(dot + 1), user)};
            }
            Pointer pw = LibC.getpwuid(uid);
            if (pw == null) {
                throw new IllegalArgumentException("uid " + user + " has no passwd entry; give uid.gid");
            }
            return new int[] {uid, pw.getInt(2L * Native.POINTER_SIZE + 4)};
        }
        if (user.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("user name holds NUL");
        }
        Pointer pw = LibC.getpwnam(user);
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
