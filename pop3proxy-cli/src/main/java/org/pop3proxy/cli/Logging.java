package org.pop3proxy.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Where the process's log lines go: nowhere until the command line has been read, then to stderr
 * ({@code -d}) or to syslog. Every slf4j logger of the process writes through here.
 */
final class Logging {
    /** Receives formatted log lines. Implementations must be safe for concurrent use. */
    interface Sink {
        /** Drops every line: the state before the command line is known. */
        Sink DROP = (level, text) -> { };

        void write(Level level, String text);

        /** Waits up to {@code timeout} until the lines written so far are delivered. */
        default void flush(Duration timeout) {}
    }


    private static volatile Sink sink = Sink.DROP;
    private static volatile int threshold = Level.INFO.toInt();

    private Logging() {}

    /** Sends lines at {@code level} and above to {@code err}, one per line, with a time stamp. */
    static void toStderr(PrintStream err, Level level) {
        threshold = level.toInt();
        sink = (l, text) -> {
            String line = LocalDateTime.now().format(StderrTime.FORMAT) + " " + l + " " + text;
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        };
    }

    /** Sends lines at {@code level} and above to the syslog datagram socket at {@code socket}. */
    static void toSyslog(Path socket, Level level) {
        threshold = level.toInt();
        sink = new SyslogSink(socket);
    }

    /** Sends lines to {@code target}; for tests. */
    static void to(Sink target, Level level) {
        threshold = level.toInt();
        sink = target;
    }

    /** Waits up to {@code timeout} until the lines logged so far have been delivered. */
    static void flush(Duration timeout) {
        sink.flush(timeout);
    }

    static boolean enabled(Level level) {
        return level.toInt() >= threshold && sink != Sink.DROP;
    }

    /** Logs {@code message} with the caller's MDC in front and the failure's summary after it. */
    static void log(Level level, String message, Throwable failure) {
        if (!enabled(level)) {
            return;
        }
        StringBuilder text = new StringBuilder();
        Map<String, String> context = MDC.getCopyOfContextMap();
        if (context != null && !context.isEmpty()) {
            text.append('[');
            new TreeMap<>(context).forEach((k, v) -> text.append(k).append('=').append(v).append(' '));
            text.setCharAt(text.length() - 1, ']');
            text.append(' ');
        }
        text.append(message);
        if (failure != null) {
            text.append(" (").append(failure).append(')');
        }
        sink.write(level, clean(text));
    }

    /** Replaces control characters so that one log call stays one line. */
    static String clean(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 0x7f ? ' ' : c);
        }
        return out.toString();
    }

    /** The time stamp of {@code -d}'s lines, made only when they are used. */
    private static final class StderrTime {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    }
}
