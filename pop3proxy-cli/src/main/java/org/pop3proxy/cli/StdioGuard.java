package org.pop3proxy.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import org.slf4j.event.Level;

/**
 * Keeps everything but POP3 off the process's stdout and stderr: System.out and System.err, the
 * java.util.logging console handler (JNA logs there) and uncaught exceptions all go to the log.
 */
final class StdioGuard {
    private StdioGuard() {}

    /** Sends java.util.logging and uncaught exceptions to the log; with {@code streams}, also System.out/err. */
    static void install(boolean streams) {
        LogManager.getLogManager().reset();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.INFO);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                int v = record.getLevel().intValue();
                Level level = v >= 1000 ? Level.ERROR : v >= 900 ? Level.WARN : v >= 800 ? Level.INFO : Level.DEBUG;
                Logging.log(level, record.getLoggerName() + ": " + record.getMessage(), record.getThrown());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        Thread.setDefaultUncaughtExceptionHandler(
                (thread, failure) -> Logging.log(Level.ERROR, "uncaught in thread " + thread.getName(), failure));
        if (streams) {
            System.setOut(new PrintStream(new LineLog("stdout"), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new LineLog("stderr"), true, StandardCharsets.UTF_8));
        }
    }

    /** Turns what is printed into log lines, one per line. */
    private static final class LineLog extends OutputStream {
        private final String name;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineLog(String name) {
            this.name = name;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                flushLine();
            } else if (line.size() < 4096) {
                line.write(b);
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                flushLine();
            }
        }

        private void flushLine() {
            Logging.log(Level.WARN, name + ": " + line.toString(StandardCharsets.UTF_8), null);
            line.reset();
        }
    }
}
