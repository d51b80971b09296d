package org.pop3proxy.engine.defaults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps TCP service names to port numbers the way {@code getservbyname(3)} does for the
 * {@code files} source, by reading {@code /etc/services} once, without asking NSS or DNS.
 * A few mail names are built in so that {@code pop3} works on hosts without the file. The file
 * is read when the first name is looked up, not before: a numeric port (the usual case, and every
 * inetd start with one) never pays for it. Safe for concurrent use.
 */
final class ServiceNames {
    static final Path ETC_SERVICES = Path.of("/etc/services");
    private static final Logger LOG = LoggerFactory.getLogger(ServiceNames.class);
    private static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    private static final Map<String, Integer> BUILT_IN = Map.of(
            "pop3", 110, "pop-3", 110, "pop3s", 995, "pop2", 109, "imap", 143, "imaps", 993);

    private static final Pattern BLANKS = Pattern.compile("[ \t]+");

    private final Optional<Path> file;
    /** The names, once read; two threads may read the file at once, with the same result. */
    private volatile Map<String, Integer> ports;

    private ServiceNames(Optional<Path> file, Map<String, Integer> ports) {
        this.file = file;
        this.ports = ports;
    }

    /** Returns the built-in names only. */
    static ServiceNames builtIn() {
        return new ServiceNames(Optional.empty(), BUILT_IN);
    }

    /** Returns the built-in names overlaid with the TCP entries of {@code file}, read when first needed. */
    static ServiceNames load(Path file) {
        return new ServiceNames(Optional.of(file), null);
    }

    private Map<String, Integer> ports() {
        Map<String, Integer> read = ports;
        if (read == null) {
            read = read(file.orElseThrow());
            ports = read;
        }
        return read;
    }

    /** Returns the built-in names overlaid with the TCP entries of {@code file}, if it is readable. */
    private static Map<String, Integer> read(Path file) {
        Map<String, Integer> ports = new HashMap<>();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES);
            parse(new String(bytes, StandardCharsets.ISO_8859_1), ports);
        } catch (IOException e) {
            LOG.debug("cannot read {}, using built-in service names: {}", file, e.toString());
        }
        BUILT_IN.forEach(ports::putIfAbsent);
        return Map.copyOf(ports);
    }

    /**
     * Adds the TCP entries of {@code text}, in {@code services(5)} format, to {@code ports};
     * the first entry for a name wins, as in {@code getservbyname}.
     */
    static void parse(String text, Map<String, Integer> ports) {
        for (String line : text.split("\n", -1)) {
            int hash = line.indexOf('#');
            String[] fields = BLANKS.split((hash >= 0 ? line.substring(0, hash) : line).trim());
            if (fields.length < 2) {
                continue;
            }
            int slash = fields[1].indexOf('/');
            if (slash < 0 || !fields[1].substring(slash + 1).equals("tcp")) {
                continue;
            }
            int port = ServerText.parsePortNumber(fields[1].substring(0, slash));
            if (port < 0) {
                continue;
            }
            for (int i = 0; i < fields.length; i++) {
                if (i != 1 && ServerText.isServiceName(fields[i])) {
                    ports.putIfAbsent(fields[i], port);
                }
            }
        }
    }

    /** Returns the port of service {@code name} (case-sensitive, as {@code getservbyname}). */
    OptionalInt port(String name) {
        Integer port = ports().get(name);
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }
}
