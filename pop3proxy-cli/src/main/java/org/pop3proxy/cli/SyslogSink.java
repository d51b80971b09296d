package org.pop3proxy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.event.Level;

/**
 * Sends log lines as syslog(3) does: RFC 3164 datagrams
 * {@code <PRI>Mmm dd hh:mm:ss pop3.proxy[pid]: text} to a local Unix datagram socket, facility
 * mail. A background thread formats and sends, so a slow or absent syslog daemon never delays a
 * session; lines that cannot be queued or sent are dropped quietly. The thread opens the socket
 * as soon as it starts: loading the native part then runs beside the rest of the start-up.
 */
final class SyslogSink implements Logging.Sink {
    /** The syslog facility {@code LOG_MAIL}. */
    static final int FACILITY_MAIL = 2;
    /** The ident, as the original program's openlog(3) call names it. */
    static final String IDENT = "pop3.proxy";
    /** Lines longer than this are cut, as rsyslog's default maxMessageSize would. */
    static final int MAX_DATAGRAM = 8000;


    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private final Path socket;
    private final long pid = ProcessHandle.current().pid();
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(10_000);
    private final Object idle = new Object();
    private int pending;

    SyslogSink(Path socket) {
        this.socket = socket;
        Thread sender = new Thread(this::sendLoop, "pop3proxy-syslog");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void write(Level level, String text) {
        // The caller only takes the time: turning it into local time (the zone database) is the
        // sending thread's work, off the path of a session's first answer.
        Line line = new Line(level, text, System.currentTimeMillis());
        synchronized (idle) {
            if (queue.offer(line)) {
                pending++;
            }
        }
    }

    @Override
    public void flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Returns the datagram for one line, as glibc's syslog(3) would write it. */
    static byte[] format(Level level, String text, LocalDateTime time, long pid) {
        int pri = FACILITY_MAIL * 8 + severity(level);
        String header = "<" + pri + ">" + stamp(time) + " " + IDENT + "[" + pid + "]: ";
        byte[] bytes = (header + text).getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_DATAGRAM) {
            return bytes;
        }
        byte[] cut = new byte[MAX_DATAGRAM];
        System.arraycopy(bytes, 0, cut, 0, MAX_DATAGRAM);
        return cut;
    }

    /** Maps slf4j levels to syslog severities: err, warning, info, debug. */
    static int severity(Level level) {
        switch (level) {
            case ERROR:
                return 3;
            case WARN:
                return 4;
            case INFO:
                return 6;
            default:
                return 7;
        }
    }

    private void sendLoop() {
        Optional<UnixDatagram> out = open(socket);
        while (true) {
            Line line;
            try {
                line = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (out.isPresent()) {
                LocalDateTime time = LocalDateTime.ofInstant(Instant.ofEpochMilli(line.millis), ZoneId.systemDefault());
                out.get().send(format(line.level, line.text, time, pid));
            }
            synchronized (idle) {
                pending--;
                if (pending == 0) {
                    idle.notifyAll();
                }
            }
        }
    }

    /**
     * Opens the socket; without one (no JNA, no libc) every line is dropped, as the manual's
     * syslog(3) does when no syslog daemon listens.
     */
    private static Optional<UnixDatagram> open(Path socket) {
        try {
            return Optional.of(UnixDatagram.open(socket));
        } catch (IOException | LinkageError | RuntimeException noNativeAccess) {
            return Optional.empty();
        }
    }

    /**
     * Returns syslog(3)'s time stamp, {@code Mmm dd hh:mm:ss} with the day padded by a space. RFC
     * 3164 names the months in English whatever the locale; a table does that without the locale
     * data a {@code DateTimeFormatter} month pattern loads (tens of milliseconds of a start).
     */
    static String stamp(LocalDateTime time) {
        int day = time.getDayOfMonth();
        return MONTHS[time.getMonthValue() - 1] + (day < 10 ? "  " : " ") + day + " " + twoDigits(time.getHour())
                + ":" + twoDigits(time.getMinute()) + ":" + twoDigits(time.getSecond());
    }

    private static String twoDigits(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    /** One line as logged, with the time it was logged at, formatted by the sending thread. */
    private record Line(Level level, String text, long millis) {}
}
