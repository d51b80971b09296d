package org.pop3proxy.engine.defaults;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.pop3proxy.api.ServerTarget;

/**
 * Parses a server as typed, {@code host[:port]} or {@code [ipv6][:port]}, exactly once, into
 * the host that is dialled, the port, and the text itself. The host is a substring of the text,
 * so whatever is matched against the allow-list is what is connected to.
 *
 * <p>Accepted hosts are deliberately narrow, so that the resolver can never read a host in a
 * way the allow-list did not see:
 * <ul>
 *   <li>a host name of LDH labels ({@code [A-Za-z0-9-]}, 1 to 63 characters, no hyphen at either
 *       end), optionally ending in one dot, whose last label does not start with a digit;</li>
 *   <li>an IPv4 number in canonical dotted-quad form: four decimal parts 0 to 255 without
 *       leading zeros. Every other numeric spelling ({@code 127.1}, {@code 2130706433},
 *       {@code 0x7f.1}, {@code 0177.0.0.1}, {@code 127.0.0.1.}) is refused, because
 *       {@code inet_aton(3)} (used by glibc's resolver, which Java calls for names) or Java's
 *       own literal parser would turn it into an address the text does not show;</li>
 *   <li>an IPv6 literal in brackets, hex groups with at most one {@code ::} and an optional
 *       dotted-quad tail, no zone ({@code %}).</li>
 * </ul>
 * The port is a decimal 1 to 65535 without leading zeros, or a service name.
 */
final class ServerText {
    /** The longest server text accepted; also bounds the glob matching work. */
    static final int MAX_LENGTH = 255;

    private ServerText() {}

    /** The kind of host a server text names. */
    enum Kind { NAME, IPV4, IPV6 }

    /** The outcome of {@link #parse}. */
    sealed interface Outcome permits Parsed, Invalid {}

    /**
     * A well-formed server.
     *
     * @param host         what is dialled: the text's host part, IPv6 without brackets
     * @param port         the port number
     * @param text         the server exactly as typed
     * @param kind         what sort of host it is
     * @param embedsIpv4   whether an IPv6 literal carries an IPv4 address (IPv4-mapped in any
     *                     spelling, or a dotted-quad tail), which Java may dial over IPv4
     * @param portStart    where the port text starts in {@code text}, after the colon; -1 if
     *                     no port was typed
     */
    record Parsed(String host, int port, String text, Kind kind, boolean embedsIpv4, int portStart)
            implements Outcome {
        Parsed {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(kind, "kind");
        }

        /** Returns the host as typed, brackets included. */
        String hostText() {
            return portStart < 0 ? text : text.substring(0, portStart - 1);
        }

        /** Returns the port as typed, without the colon. */
        Optional<String> portText() {
            return portStart < 0 ? Optional.empty() : Optional.of(text.substring(portStart));
        }

        ServerTarget target() {
            return new ServerTarget(host, port, text);
        }
    }

    /** A refused server, with a reason for the log. */
    record Invalid(String reason) implements Outcome {
        Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Parses {@code text}, resolving service names through {@code services}; never throws. */
    static Outcome parse(String text, ServiceNames services) {
        if (text.isEmpty()) {
            return new Invalid("empty server");
        }
        if (text.length() > MAX_LENGTH) {
            return new Invalid("server longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return new Invalid("blank, control or non-ASCII character in server");
            }
        }
        String host;
        String portText;
        Kind kind;
        boolean embedsIpv4 = false;
        if (text.charAt(0) == '[') {
            int close = text.indexOf(']');
            if (close < 0) {
                return new Invalid("missing ] after IPv6 address");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                portText = null;
            } else if (rest.charAt(0) == ':') {
                portText = rest.substring(1);
            } else {
                return new Invalid("text after ] that is not :port");
            }
            byte[] address = ipv6(host);
            if (address == null) {
                return new Invalid("not an IPv6 address in brackets");
            }
            kind = Kind.IPV6;
            embedsIpv4 = host.indexOf('.') >= 0 || isIpv4Mapped(address);
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
            if (portText != null && portText.indexOf(':') >= 0) {
                return new Invalid("more than one colon (IPv6 addresses need brackets)");
            }
            if (host.isEmpty()) {
                return new Invalid("empty host");
            }
            if (!isHostName(host)) {
                return new Invalid("host is not a host name or IP number");
            }
            boolean trailingDot = host.endsWith(".");
            String bare = trailingDot ? host.substring(0, host.length() - 1) : host;
            String lastLabel = bare.substring(bare.lastIndexOf('.') + 1);
            if (isDigit(lastLabel.charAt(0))) {
                if (trailingDot || !isCanonicalIpv4(host)) {
                    return new Invalid("numeric host that is not a plain dotted quad");
                }
                kind = Kind.IPV4;
            } else {
                kind = Kind.NAME;
            }
        }
        int port;
        if (portText == null) {
            port = ServerTarget.POP3_PORT;
        } else if (portText.isEmpty()) {
            return new Invalid("empty port");
        } else if (isDigit(portText.charAt(0))) {
            port = parsePortNumber(portText);
            if (port < 0) {
                return new Invalid("port is not a number from 1 to 65535 without leading zeros");
            }
        } else if (isServiceName(portText)) {
            OptionalInt p = services.port(portText);
            if (p.isEmpty()) {
                return new Invalid("unknown service name");
            }
            port = p.getAsInt();
        } else {
            return new Invalid("port is neither a number nor a service name");
        }
        return new Parsed(host, port, text, kind, embedsIpv4,
                portText == null ? -1 : text.length() - portText.length());
    }

    /** Returns the port in {@code s}, a canonical decimal 1 to 65535, or -1. */
    static int parsePortNumber(String s) {
        if (s.isEmpty() || s.length() > 5 || s.charAt(0) == '0') {
            return -1;
        }
        int port = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : -1;
    }

    /** Returns whether {@code s} can be a service name: a letter, then letters, digits, - or _. */
    static boolean isServiceName(String s) {
        if (s.isEmpty() || s.length() > 32 || !isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isLetter(c) && !isDigit(c) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code s} is LDH labels separated by single dots, optionally one trailing dot. */
    static boolean isHostName(String s) {
        if (s.length() > 254 || s.startsWith(".")) {
            return false;
        }
        String bare = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (bare.isEmpty() || bare.length() > 253) {
            return false;
        }
        int start = 0;
        while (true) {
            int dot = bare.indexOf('.', start);
            int end = dot < 0 ? bare.length() : dot;
            if (!isLabel(bare, start, end)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    private static boolean isLabel(String s, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 63 || s.charAt(start) == '-' || s.charAt(end - 1) == '-') {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!isLetter(c) && !isDigit(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code s} is four decimal parts 0 to 255, each without leading zeros. */
    static boolean isCanonicalIpv4(String s) {
        return ipv4(s) != null;
    }

    /** Returns the four bytes of a canonical dotted quad, or null. */
    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                if (!isDigit(p.charAt(j))) {
                    return null;
                }
                v = v * 10 + (p.charAt(j) - '0');
            }
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /**
     * Returns the sixteen bytes of an IPv6 literal (no brackets, no zone), or null when
     * {@code s} is not one. Groups are one to four hex digits; one {@code ::} at most; an
     * optional canonical dotted-quad tail counts as two groups.
     */
    static byte[] ipv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String head = doubleColon < 0 ? s : s.substring(0, doubleColon);
        String tail = doubleColon < 0 ? "" : s.substring(doubleColon + 2);
        int[] headGroups = groups(head, doubleColon < 0);
        if (headGroups == null) {
            return null;
        }
        int[] tailGroups = doubleColon < 0 ? new int[0] : groups(tail, true);
        if (tailGroups == null) {
            return null;
        }
        int count = headGroups.length + tailGroups.length;
        if (doubleColon < 0 ? count != 8 : count > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            out[2 * i] = (byte) (headGroups[i] >> 8);
            out[2 * i + 1] = (byte) headGroups[i];
        }
        int offset = 8 - tailGroups.length;
        for (int i = 0; i < tailGroups.length; i++) {
            out[2 * (offset + i)] = (byte) (tailGroups[i] >> 8);
            out[2 * (offset + i) + 1] = (byte) tailGroups[i];
        }
        return out;
    }

    /**
     * Returns the 16-bit groups of a colon-separated run, a dotted quad allowed as the last
     * element when {@code ipv4Tail}; an empty run is no groups; null when malformed.
     */
    private static int[] groups(String run, boolean ipv4Tail) {
        if (run.isEmpty()) {
            return new int[0];
        }
        String[] parts = run.split(":", -1);
        boolean quad = parts[parts.length - 1].indexOf('.') >= 0;
        if (quad && !ipv4Tail) {
            return null;
        }
        int[] out = new int[parts.length + (quad ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (quad && i == parts.length - 1) {
                byte[] v4 = ipv4(p);
                if (v4 == null) {
                    return null;
                }
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = hexValue(p.charAt(j));
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            out[i] = v;
        }
        return out;
    }

    /** Returns whether {@code a} is {@code ::ffff:a.b.c.d}, which Java turns into an IPv4 address. */
    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static int hexValue(char c) {
        if (isDigit(c)) {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
