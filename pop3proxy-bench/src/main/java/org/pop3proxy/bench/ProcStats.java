package org.pop3proxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One reading of a process's footprint from {@code /proc}: CPU time, resident and proportional
 * set size, threads and open descriptors.
 */
record ProcStats(long cpuNanos, long rssBytes, long pssBytes, int threads, int fds) {
    /** Linux's USER_HZ; {@code getconf CLK_TCK} is 100 on every mainstream kernel. */
    private static final long CLOCK_TICKS = 100;

    /** Reads the process's figures now. */
    static ProcStats of(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        return new ProcStats(cpuNanos(proc), kib(proc.resolve("smaps_rollup"), "Rss:") * 1024,
                kib(proc.resolve("smaps_rollup"), "Pss:") * 1024, threads(proc), fds(proc));
    }

    /**
     * Reads utime + stime (fields 14 and 15 of stat, counted after the command's parenthesis) of
     * the process and of its live descendants (nginx's workers, say), which the process's own
     * stat does not count until it has waited for them.
     */
    static long cpuNanos(long pid) throws IOException {
        long sum = 0;
        for (Path proc : tree(pid)) {
            try {
                sum += cpuNanos(proc);
            } catch (IOException gone) {
                // A descendant that ended between the listing and the reading.
            }
        }
        return sum;
    }

    /**
     * The whole machine's idle time (idle and iowait, from the first line of /proc/stat) and the
     * CPU time it had in all (the monotonic clock times the processors /proc/stat lists, which the
     * idle time is summed over), both in nanoseconds, so that a run's busy time per session can be
     * set beside a process's own. Busy time is taken as the rest rather than from the busy fields:
     * a tickless kernel measures idle time exactly but samples busy time at the tick, and so
     * misses the short bursts of a mostly idle machine.
     */
    static long[] machineNanos() throws IOException {
        List<String> stat = Files.readAllLines(Path.of("/proc/stat"));
        String[] f = stat.get(0).trim().split("\\s+");
        long idleTicks = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        long cpus = stat.stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        return new long[] {idleTicks * 1_000_000_000L / CLOCK_TICKS, System.nanoTime() * Math.max(1, cpus)};
    }

    /** Returns the process's /proc directory, then its descendants' as /proc lists them now. */
    private static List<Path> tree(long pid) throws IOException {
        List<Path> procs = new ArrayList<>();
        procs.add(Path.of("/proc", Long.toString(pid)));
        for (int i = 0; i < procs.size(); i++) {
            try (Stream<Path> tasks = Files.list(procs.get(i).resolve("task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    String children;
                    try {
                        children = Files.readString(task.resolve("children")).trim();
                    } catch (IOException gone) {
                        continue;
                    }
                    for (String child : children.isEmpty() ? new String[0] : children.split(" ")) {
                        procs.add(Path.of("/proc", child));
                    }
                }
            } catch (IOException gone) {
                if (i == 0) {
                    throw gone;
                }
            }
        }
        return procs;
    }

    private static long cpuNanos(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state); utime is field 14, stime field 15.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1_000_000_000L / CLOCK_TICKS;
    }

    private static long kib(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(key + " not in " + file);
    }

    private static int threads(Path proc) throws IOException {
        List<String> lines = Files.readAllLines(proc.resolve("status"));
        for (String line : lines) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        throw new IOException("no Threads: in " + proc.resolve("status"));
    }

    /**
     * Returns user and system CPU nanoseconds per thread group of the process and its live
     * descendants, threads named alike (digits dropped: "C2 CompilerThread0",
     * "pop3proxy-session-17", "GC Thread#1") summed together; threads that ended are missing, so
     * read it while the load runs or just after.
     */
    static Map<String, long[]> threadCpu(long pid) throws IOException {
        Map<String, long[]> groups = new TreeMap<>();
        for (Path proc : tree(pid)) {
            addThreadCpu(proc, groups);
        }
        return groups;
    }

    private static void addThreadCpu(Path proc, Map<String, long[]> groups) {
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long[] g = groups.computeIfAbsent(name, k -> new long[2]);
                g[0] += Long.parseLong(f[11]) * 1_000_000_000L / CLOCK_TICKS;
                g[1] += Long.parseLong(f[12]) * 1_000_000_000L / CLOCK_TICKS;
            }
        } catch (IOException gone) {
            // A descendant that ended between the listing and the reading.
        }
    }

    static int fds(long pid) throws IOException {
        return fds(Path.of("/proc", Long.toString(pid)));
    }

    private static int fds(Path proc) throws IOException {
        try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
            return (int) s.count();
        }
    }
}
