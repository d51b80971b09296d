package org.pop3proxy.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the end-to-end benchmark of issue 5 and writes BENCHMARKS.md: each proxy figure beside the
 * same figure for a direct connection to the same server, measured in the same run, alternating.
 * The proxy runs in its own JVM (daemon mode through the engine, or inetd mode) so that its CPU
 * time and memory can be read from {@code /proc}. Options:
 * <pre>
 *   --quick                  fewer and shorter runs
 *   --jdk NAME=JAVA          a JDK to run the proxy on (repeatable; default the running java)
 *   --dovecot PORT           also measure against a Dovecot started by bench/dovecot.sh
 *   --only-server NAME       daemon-mode parts against GreenMail or Dovecot only (profiling)
 *   --parts a,b              retr,scan,sessions,latency,memory,inetd (default all)
 *   --clamd DIR              a clamd started by .ci/clamd.sh DIR (clamd.port, clamd.pid), for
 *                            RETR with virus scanning (-z); without it the scan part is skipped
 *   --jmh LABEL=FILE.csv     JMH results to include (repeatable)
 *   --launcher PATH          bin/pop3.proxy, timed in inetd mode beside the stand-in
 *   --haproxy PATH           also measure HAProxy in TCP mode (a blind relay) the same way, as
 *                            a reference row in parts 1, 2 and 2b
 *   --nginx PATH             also measure nginx's mail proxy (POP3-aware, like this one) the
 *                            same way, as a reference row in parts 1, 2 and 2b
 *   --proxy-opts "ARGS"      extra JVM options for the proxy (JFR profiling)
 *   --budget SECONDS         stop starting new parts after this long (default 900)
 *   --out FILE               the Markdown report to write (default: none)
 *   --command "TEXT"         the command line to record in the report
 * </pre>
 */
public final class Bench {
    private static final int USERS = 32;
    private static final int BIG_MB = 50;
    private static final int CLIENTS = 16;
    /**
     * The JVM flags {@code bin/pop3.proxy} gives a daemon (its exec line and its {@code daemon=}
     * line), so that the proxy is measured as users run it; {@link #checkLauncherFlags} notes any
     * flag the launcher no longer has. {@code jdk.pollerMode=1} (JDK 21+): virtual threads wait for
     * sockets through one platform poller thread each for reads and writes, instead of the JDK 22+
     * default of a master poller handing events to virtual sub-pollers, one more hop per wait
     * (docs/PERFORMANCE.md §2a). Older JDKs ignore it. {@code CompileThresholdScaling=0.25}: the
     * JIT compiles after a quarter of the usual calls (docs/PERFORMANCE.md §3).
     */
    static final List<String> DAEMON_FLAGS = List.of("-XX:+UseSerialGC", "-Xss512k", "-Xms8m",
            "-XX:MinHeapFreeRatio=20", "-XX:MaxHeapFreeRatio=40", "-XX:TrimNativeHeapInterval=5000",
            "-Djdk.pollerMode=1", "-XX:CompileThresholdScaling=0.25");
    /**
     * How long sessions are left idle before a memory reading: longer than the launcher's native
     * heap trim interval, so that a reading sees the steady state of idle sessions.
     */
    private static final long IDLE_MILLIS = 6000;

    private final boolean quick;
    private final Map<String, String> jdks = new LinkedHashMap<>();
    private final Map<String, Integer> servers = new LinkedHashMap<>();
    private final List<String> parts = new ArrayList<>(List.of("retr", "scan", "sessions", "latency", "memory",
            "inetd"));
    private final Map<String, Path> jmh = new LinkedHashMap<>();
    private final List<String> proxyOpts = new ArrayList<>();
    private String launcher = "";
    private String onlyServer = "";
    private Path clamd;
    private String haproxy = "";
    private String nginx = "";
    /** The relays measured beside the proxy (--haproxy, --nginx), in their order in the tables. */
    private final List<Reference> references = new ArrayList<>();
    /** Answers nginx's auth_http requests once an nginx reference has started; null before. */
    private HttpServer nginxAuth;
    private Path out;
    private String command = "bench/run.sh";
    private final long deadline;
    private final Path logDir;
    private final String classpath = System.getProperty("java.class.path");
    private final StringBuilder md = new StringBuilder();
    private final List<String> summary = new ArrayList<>();

    private Bench(String[] args) throws IOException {
        boolean q = false;
        long budget = 900;
        int dovecot = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> q = true;
                case "--jdk" -> {
                    String[] kv = args[++i].split("=", 2);
                    jdks.put(kv[0], kv[1]);
                }
                case "--dovecot" -> dovecot = Integer.parseInt(args[++i]);
                case "--parts" -> {
                    parts.clear();
                    parts.addAll(List.of(args[++i].split(",")));
                }
                case "--jmh" -> {
                    String[] kv = args[++i].split("=", 2);
                    jmh.put(kv[0], Path.of(kv[1]));
                }
                case "--launcher" -> launcher = args[++i];
                case "--haproxy" -> haproxy = args[++i];
                case "--nginx" -> nginx = args[++i];
                case "--only-server" -> onlyServer = args[++i];
                case "--clamd" -> clamd = Path.of(args[++i]);
                case "--proxy-opts" -> proxyOpts.addAll(List.of(args[++i].trim().split("\\s+")));
                case "--budget" -> budget = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        quick = q;
        if (jdks.isEmpty()) {
            jdks.put("JDK " + Runtime.version().feature(), Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        if (!haproxy.isEmpty()) {
            String name = haproxyVersion(haproxy);
            references.add(new Reference("reference: " + name + " (TCP mode)",
                    name + " in TCP mode (`" + haproxy + "`, its defaults, no logging): a blind relay, the ceiling",
                    this::startHaproxy));
        }
        if (!nginx.isEmpty()) {
            String name = nginxVersion(nginx);
            references.add(new Reference("reference: " + name + " mail proxy (POP3)",
                    name + "'s mail proxy (`" + nginx + "`, POP3, `worker_processes auto`, no logging; its auth_http "
                            + "answers come from the benchmark's JVM, not counted): POP3-aware, like this proxy",
                    this::startNginx));
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(budget);
        logDir = Files.createDirectories(Path.of("pop3proxy-bench", "target", "bench-logs"));
        servers.put("GreenMail", 0);
        if (dovecot > 0) {
            servers.put("Dovecot", dovecot);
        }
    }

    public static void main(String[] args) throws Exception {
        new Bench(args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        checkLauncherFlags();
        String date = ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        try (Child greenMail = Child.start("GreenMail", javaOf(null), List.of("-Xmx3g"), classpath,
                GreenMailMain.class.getName(), List.of(Integer.toString(USERS), Integer.toString(BIG_MB)),
                logDir.resolve("greenmail.log"))) {
            servers.put("GreenMail", greenMail.port);
            List<Row> retr = new ArrayList<>();
            List<Row> scan = new ArrayList<>();
            List<Row> sessions = new ArrayList<>();
            List<Row> latency = new ArrayList<>();
            for (Map.Entry<String, Integer> server : servers.entrySet()) {
                if (!onlyServer.isEmpty() && !onlyServer.equals(server.getKey())) {
                    continue;
                }
                if (parts.contains("retr") || parts.contains("sessions") || parts.contains("latency")) {
                    relayParts(server.getKey(), server.getValue(), retr, sessions, latency);
                }
                if (parts.contains("scan") && clamd != null) {
                    for (Map.Entry<String, String> jdk : jdks.entrySet()) {
                        if (overBudget("RETR with -z on " + server.getKey() + " / " + jdk.getKey())) {
                            continue;
                        }
                        try (Child proxy = startProxy(jdk, server.getValue(), server.getKey() + "-z", clamdPort())) {
                            scan.add(scan(server.getKey(), jdk.getKey(), server.getValue(), proxy));
                        } catch (IOException e) {
                            note("RETR with -z on " + server.getKey() + " / " + jdk.getKey() + " failed: "
                                    + e.getMessage());
                        }
                    }
                }
            }
            // inetd before memory: the 8,000 idle sessions' aftermath (sockets closing, the
            // server's threads ending) would otherwise still load the machine while processes
            // are timed from spawn to greeting.
            List<Row> inetd = new ArrayList<>();
            if (parts.contains("inetd")) {
                for (Map.Entry<String, String> jdk : jdks.entrySet()) {
                    if (!overBudget("inetd / " + jdk.getKey())) {
                        inetd.addAll(inetd(jdk, greenMail.port));
                    }
                }
            }
            List<Row> memory = new ArrayList<>();
            if (parts.contains("memory")) {
                for (int n : quick ? new int[] {1000} : new int[] {1000, 8000}) {
                    for (Map.Entry<String, String> jdk : jdks.entrySet()) {
                        if (!overBudget("memory " + n + " / " + jdk.getKey())) {
                            memory.add(memory(jdk, greenMail.port, n));
                        }
                    }
                }
            }
            String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
            report(date, loadBefore, loadAfter, retr, scan, sessions, latency, memory, inetd);
        } finally {
            if (nginxAuth != null) {
                nginxAuth.stop(0);
            }
        }
    }

    /**
     * Parts 1, 2 and 2b against one server, for the proxy on each JDK and for each reference. All
     * of them are started first and each part then measures them one after another, so that a
     * load that changes during the run (other engineers' jobs here) falls on all of them alike,
     * not on whichever was started last.
     */
    private void relayParts(String server, int serverPort, List<Row> retr, List<Row> sessions, List<Row> latency)
            throws Exception {
        Map<String, Child> relays = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> jdk : jdks.entrySet()) {
                if (!overBudget("daemon mode on " + server + " / " + jdk.getKey())) {
                    try {
                        relays.put(jdk.getKey(), startProxy(jdk, serverPort, server));
                    } catch (IOException e) {
                        note("daemon mode on " + server + " / " + jdk.getKey() + " failed: " + e.getMessage());
                    }
                }
            }
            for (Reference reference : references) {
                if (!overBudget(reference.label() + " on " + server)) {
                    try {
                        relays.put(reference.label(), reference.starter().start(server, serverPort));
                    } catch (IOException e) {
                        note(reference.label() + " on " + server + " failed: " + e.getMessage());
                    }
                }
            }
            List<RelayPart> relayParts = List.of(new RelayPart("retr", "RETR", retr, this::retr),
                    new RelayPart("sessions", "sessions/s", sessions, this::sessions),
                    new RelayPart("latency", "NOOP latency", latency, this::latency));
            for (RelayPart part : relayParts) {
                if (!parts.contains(part.name())) {
                    continue;
                }
                for (Map.Entry<String, Child> relay : relays.entrySet()) {
                    String what = part.title() + ", " + relay.getKey() + " on " + server;
                    if (overBudget(what)) {
                        continue;
                    }
                    try {
                        part.rows().add(part.measure().row(server, relay.getKey(), serverPort, relay.getValue()));
                    } catch (IOException e) {
                        note(what + " failed: " + e.getMessage());
                    }
                }
            }
        } finally {
            for (Child relay : relays.values()) {
                relay.close();
            }
        }
    }

    // ---- the parts ----------------------------------------------------------------------------

    private Row retr(String server, String jdk, int serverPort, Child proxy) throws IOException {
        System.out.printf("RETR %d MB, %s, %s: %d pairs%n", BIG_MB, server, jdk, retrPairs());
        RetrRuns r = retrRuns(serverPort, proxy, 0);
        double ratio = median(r.ratios());
        return new Row(server, jdk, f1(median(r.direct())), f1(median(r.viaProxy())), ratioText(r.ratios()),
                f2(r.proxyCpu() / 1e6 / r.mb()), verdict(ratio >= 0.95, "ratio " + f3(ratio) + " vs ≥ 0.95"));
    }

    /**
     * RETR of the big message through a proxy that scans every message with clamd before it sends
     * it (the manual's {@code -z}), paired with direct RETRs; also reads clamd's CPU time, as the
     * scan is most of the added time. No target: the issue asks for the figure.
     */
    private Row scan(String server, String jdk, int serverPort, Child proxy) throws IOException {
        long clamdPid = Long.parseLong(Files.readString(clamd.resolve("clamd.pid")).trim());
        System.out.printf("RETR %d MB with -z, %s, %s: %d pairs%n", BIG_MB, server, jdk, retrPairs());
        RetrRuns r = retrRuns(serverPort, proxy, clamdPid);
        return new Row(server, jdk, f1(median(r.direct())), f1(median(r.viaProxy())), ratioText(r.ratios()),
                f2(r.proxyCpu() / 1e6 / r.mb()), f2(r.clamdCpu() / 1e6 / r.mb()));
    }

    private int retrPairs() {
        return quick ? 3 : 5;
    }

    /** What {@link #retrRuns} measured: MB/s per pair, and CPU nanoseconds and octets in all. */
    private record RetrRuns(List<Double> direct, List<Double> viaProxy, List<Double> ratios, long proxyCpu,
            long clamdCpu, long octets) {
        double mb() {
            return octets / 1048576.0;
        }
    }

    /**
     * Runs RETRs of the big message direct and through {@code proxy} in alternating pairs after
     * one direct and {@link #warmUpRetr} through the proxy, reading the proxy's CPU time (and
     * clamd's, when {@code clamdPid} is above 0, for a scanning proxy) around each proxy RETR. The
     * proxy must relay what the server sent; a scanning proxy adds one header line,
     * X-Proxy-Scanned.
     */
    private RetrRuns retrRuns(int serverPort, Child proxy, long clamdPid) throws IOException {
        boolean scanning = clamdPid > 0;
        Load.retr(serverPort, "big");
        warmUpRetr(proxy);
        List<Double> direct = new ArrayList<>();
        List<Double> viaProxy = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        long cpu = 0;
        long clamdCpu = 0;
        long octets = 0;
        for (int i = 0; i < retrPairs(); i++) {
            Load.Retr d = null;
            if (i % 2 == 0) {
                d = Load.retr(serverPort, "big");
            }
            CpuReading c0 = CpuReading.of(proxy);
            long s0 = scanning ? ProcStats.cpuNanos(clamdPid) : 0;
            Load.Retr p = Load.retr(proxy.port, "big");
            CpuReading used = CpuReading.of(proxy).since(c0);
            cpu += used.all();
            clamdCpu += scanning ? ProcStats.cpuNanos(clamdPid) - s0 : 0;
            if (d == null) {
                d = Load.retr(serverPort, "big");
            }
            long added = p.octets() - d.octets();
            if (scanning ? added <= 0 || added > 256 : added != 0) {
                throw new IOException("proxy relayed " + p.octets() + " octets, server sent " + d.octets()
                        + (scanning ? ": not one added header line" : ""));
            }
            octets += p.octets();
            direct.add(d.mbPerSecond());
            viaProxy.add(p.mbPerSecond());
            ratios.add(p.mbPerSecond() / d.mbPerSecond());
            System.out.printf("  pair %d: direct %.1f MB/s, proxy%s %.1f MB/s, ratio %.2f,"
                            + " JIT %.0f%% of the proxy's CPU%n", i + 1, d.mbPerSecond(),
                    scanning ? " with -z" : "", p.mbPerSecond(), p.mbPerSecond() / d.mbPerSecond(),
                    used.jitShare() * 100);
        }
        return new RetrRuns(direct, viaProxy, ratios, cpu, clamdCpu, octets);
    }

    /**
     * Like {@link #warmUp} for RETRs of the big message: a daemon relays with compiled code, so
     * the measured transfers start once the compiler threads took under a tenth of the proxy's
     * CPU in each of two transfers in a row (at least three transfers, at most twelve).
     */
    private static void warmUpRetr(Child proxy) throws IOException {
        int transfers = 0;
        int quiet = 0;
        double share = 1;
        while (transfers < 12 && (transfers < 3 || quiet < 2)) {
            CpuReading c0 = CpuReading.of(proxy);
            Load.retr(proxy.port, "big");
            share = CpuReading.of(proxy).since(c0).jitShare();
            quiet = share < 0.10 ? quiet + 1 : 0;
            transfers++;
        }
        System.out.printf("  warm-up %d transfers, JIT share of the proxy's CPU in the last %.0f%%%n",
                transfers, share * 100);
    }

    /** One of parts 1, 2 and 2b: its name in --parts, its title in notes, its table's rows, its measurement. */
    private record RelayPart(String name, String title, List<Row> rows, Measure measure) {}

    /** Measures one relay (the proxy on a JDK, or a reference) in front of a server: a table row. */
    @FunctionalInterface
    private interface Measure {
        Row row(String server, String relay, int serverPort, Child child) throws Exception;
    }

    /** A relay measured beside the proxy: its label in the tables, its line in the header, its start. */
    private record Reference(String label, String description, Starter starter) {}

    /** Starts a reference relay in front of a server (by name and port). */
    @FunctionalInterface
    private interface Starter {
        Child start(String server, int serverPort) throws IOException;
    }

    /**
     * The proxy's CPU time, in all (ended threads included) and in its JIT compiler threads, in
     * nanoseconds; {@link #since} makes the difference of two readings.
     */
    private record CpuReading(long all, long jit) {
        static CpuReading of(Child proxy) throws IOException {
            return new CpuReading(ProcStats.cpuNanos(proxy.pid()),
                    cpuOf(ProcStats.threadCpu(proxy.pid()), "Compiler"));
        }

        CpuReading since(CpuReading before) {
            return new CpuReading(all - before.all, jit - before.jit);
        }

        double jitShare() {
            return jit / (double) Math.max(1, all);
        }
    }

    /**
     * Starts HAProxy in TCP mode in front of the server, listening on a free loopback port, with
     * its defaults otherwise (one thread per CPU) and no logging: the blind relay the issue names
     * as the practical ceiling, measured like the proxy.
     */
    private Child startHaproxy(String server, int serverPort) throws IOException {
        int port = freePort();
        Path config = logDir.resolve("haproxy-" + server + ".cfg");
        Files.writeString(config, String.join("\n",
                "global",
                "    maxconn 1000",
                "defaults",
                "    mode tcp",
                "    timeout connect 10s",
                "    timeout client 600s",
                "    timeout server 600s",
                "frontend clients",
                "    bind 127.0.0.1:" + port,
                "    default_backend server",
                "backend server",
                "    server s 127.0.0.1:" + serverPort,
                ""));
        return Child.listening("HAProxy", List.of(haproxy, "-db", "-f", config.toString()), port,
                logDir.resolve("haproxy-" + server + ".log"));
    }

    /**
     * Starts nginx's mail proxy for POP3 in front of the server, listening on a free loopback
     * port: its own greeting, then USER and PASS go to its auth_http service, which names the
     * server, and nginx logs in there and relays from then on, as this proxy does after its
     * access check. The service is {@link #nginxAuth} in this JVM: it admits every login and
     * names the server's port, from the request's path. One worker per CPU (Debian's
     * {@code auto}), no access log; stopped with SIGTERM like HAProxy.
     */
    private Child startNginx(String server, int serverPort) throws IOException {
        int port = freePort();
        Path dir = Files.createDirectories(logDir.resolve("nginx-" + server).toAbsolutePath());
        Path module = Path.of("/usr/lib/nginx/modules/ngx_mail_module.so");
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, String.join("\n",
                "daemon off;",
                "worker_processes auto;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                Files.exists(module) ? "load_module " + module + ";" : "",
                "events { worker_connections 4096; }",
                "mail {",
                "    auth_http 127.0.0.1:" + nginxAuthPort() + "/auth/" + serverPort + ";",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                "        protocol pop3;",
                "        pop3_auth plain;",
                "    }",
                "}",
                ""));
        return Child.listening("nginx", List.of(nginx, "-p", dir.toString(), "-c", config.toString(),
                "-e", dir.resolve("error.log").toString()), port, logDir.resolve("nginx-" + server + ".log"));
    }

    /**
     * Returns the port of the auth_http service for the nginx references, started at the first
     * call: every login is admitted, to 127.0.0.1 at the port that ends the request's path.
     */
    private int nginxAuthPort() throws IOException {
        if (nginxAuth == null) {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            http.createContext("/auth/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                exchange.getResponseHeaders().add("Auth-Status", "OK");
                exchange.getResponseHeaders().add("Auth-Server", "127.0.0.1");
                exchange.getResponseHeaders().add("Auth-Port", path.substring(path.lastIndexOf('/') + 1));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            http.start();
            nginxAuth = http;
        }
        return nginxAuth.getAddress().getPort();
    }

    /** Returns a loopback port that was free a moment ago, for a program that binds it itself. */
    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    /** Returns "nginx" and its version from {@code nginx -v}, or "nginx". */
    private static String nginxVersion(String nginx) {
        String line = outputOf(nginx, "-v").stream().findFirst().orElse("");
        int slash = line.indexOf("nginx/");
        return slash < 0 ? "nginx" : "nginx " + line.substring(slash + "nginx/".length()).trim();
    }

    /** Returns "HAProxy" and its version from {@code haproxy -v}, or "HAProxy". */
    private static String haproxyVersion(String haproxy) {
        String[] words = outputOf(haproxy, "-v").stream().findFirst().orElse("").split(" ");
        return words.length > 2 && words[1].equals("version") ? "HAProxy " + words[2] : "HAProxy";
    }

    /** Returns {@code clamd -V}'s answer, or "clamd" when it cannot be run. */
    private static String clamdVersion() {
        List<String> lines = outputOf("clamd", "-V");
        return lines.isEmpty() ? "clamd" : String.join("; ", lines);
    }

    /**
     * Runs {@code command} and returns the lines it printed (output and errors), or none when it
     * cannot be run or ends with a failure.
     */
    private static List<String> outputOf(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank()).collect(Collectors.toList());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? lines : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private int clamdPort() throws IOException {
        return Integer.parseInt(Files.readString(clamd.resolve("clamd.port")).trim());
    }

    private Row sessions(String server, String jdk, int serverPort, Child proxy) throws Exception {
        int pairs = quick ? 3 : 5;
        double seconds = quick ? 2 : 4;
        int max = 200_000;
        System.out.printf("Sessions/s, %d clients, %s, %s: %d pairs of %.0f s%n", CLIENTS, server, jdk, pairs, seconds);
        // A daemon runs warm: warm up until the JIT compiler threads take under a tenth of the
        // proxy's CPU (bounded in time); what JIT work remains is in "all" and shown apart. The
        // methods called once per session (Session.run, the accept and connect paths) reach C2
        // only after some thousands of sessions, later on a loaded machine: hence 20 s at least.
        warmUp(proxy, quick ? 3 : 20, quick ? 12 : 45);
        Load.sessions(serverPort, CLIENTS, 1, max);
        List<Load.Sessions> direct = new ArrayList<>();
        List<Load.Sessions> viaProxy = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuPerSession = new ArrayList<>();
        List<Double> noJit = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Load.Sessions d;
            Load.Sessions p;
            Map<String, long[]> t0;
            Map<String, long[]> t1;
            long[] m0;
            long[] m1;
            long[] m2;
            if (i % 2 == 0) {
                m0 = ProcStats.machineNanos();
                d = Load.sessions(serverPort, CLIENTS, seconds, max);
                m1 = ProcStats.machineNanos();
                t0 = ProcStats.threadCpu(proxy.pid());
                p = Load.sessions(proxy.port, CLIENTS, seconds, max);
                t1 = ProcStats.threadCpu(proxy.pid());
                m2 = ProcStats.machineNanos();
                machine(m0, m1, d.ok(), m1, m2, p.ok());
            } else {
                m0 = ProcStats.machineNanos();
                t0 = ProcStats.threadCpu(proxy.pid());
                p = Load.sessions(proxy.port, CLIENTS, seconds, max);
                t1 = ProcStats.threadCpu(proxy.pid());
                m1 = ProcStats.machineNanos();
                d = Load.sessions(serverPort, CLIENTS, seconds, max);
                m2 = ProcStats.machineNanos();
                machine(m1, m2, d.ok(), m0, m1, p.ok());
            }
            threadCpu(t0, t1, p.ok());
            long c0 = t0.values().stream().mapToLong(v -> v[0] + v[1]).sum();
            long c1 = t1.values().stream().mapToLong(v -> v[0] + v[1]).sum();
            long jit = cpuOf(t1, "Compiler") - cpuOf(t0, "Compiler");
            noJit.add((c1 - c0 - jit) / 1e6 / Math.max(1, p.ok()));
            direct.add(d);
            viaProxy.add(p);
            ratios.add(p.perSecond() / d.perSecond());
            cpuPerSession.add((c1 - c0) / 1e6 / Math.max(1, p.ok()));
            System.out.printf("  pair %d: direct %.0f/s (p50 %.2f ms, p99 %.2f ms, %d failed), proxy %.0f/s "
                            + "(p50 %.2f ms, p99 %.2f ms, %d failed), ratio %.2f, proxy CPU %.3f ms/session%n",
                    i + 1, d.perSecond(), d.p50Millis(), d.p99Millis(), d.failed(), p.perSecond(), p.p50Millis(),
                    p.p99Millis(), p.failed(), p.perSecond() / d.perSecond(), cpuPerSession.get(i));
            if (!p.firstError().isEmpty() || !d.firstError().isEmpty()) {
                System.out.println("  first errors: proxy " + p.firstError() + "; direct " + d.firstError());
            }
        }
        double ratio = median(ratios);
        double cpu = median(cpuPerSession);
        int failed = viaProxy.stream().mapToInt(Load.Sessions::failed).sum()
                + direct.stream().mapToInt(Load.Sessions::failed).sum();
        return new Row(server, jdk,
                f0(median(direct, Load.Sessions::perSecond)), f0(median(viaProxy, Load.Sessions::perSecond)),
                ratioText(ratios),
                f2(median(direct, Load.Sessions::p50Millis)) + " / " + f2(median(direct, Load.Sessions::p99Millis)),
                f2(median(viaProxy, Load.Sessions::p50Millis)) + " / " + f2(median(viaProxy, Load.Sessions::p99Millis)),
                f3(cpu) + " / " + f3(median(noJit)), Integer.toString(failed),
                verdict(ratio >= 0.9, "ratio " + f3(ratio) + " vs ≥ 0.9"),
                verdict(cpu <= 0.5, f3(cpu) + " ms vs ≤ 0.5 ms"));
    }

    /**
     * Runs sessions through the proxy for at least {@code minSeconds}, then in slices of two
     * seconds until the compiler threads' share of the proxy's CPU was below 10% in two slices in
     * a row (one quiet slice was often only a pause between compilations) or {@code maxSeconds}
     * have passed; prints how long it took and the last share.
     */
    private static void warmUp(Child proxy, double minSeconds, double maxSeconds) throws Exception {
        long start = System.nanoTime();
        Load.sessions(proxy.port, CLIENTS, minSeconds, 200_000);
        double share = 1;
        int quiet = 0;
        while (quiet < 2 && (System.nanoTime() - start) / 1e9 < maxSeconds) {
            CpuReading c0 = CpuReading.of(proxy);
            Load.sessions(proxy.port, CLIENTS, 2, 200_000);
            share = CpuReading.of(proxy).since(c0).jitShare();
            quiet = share < 0.10 ? quiet + 1 : 0;
        }
        System.out.printf("  warm-up %.0f s, JIT share of the proxy's CPU at its end %.0f%%%n",
                (System.nanoTime() - start) / 1e9, share * 100);
    }

    private Row latency(String server, String jdk, int serverPort, Child proxy) throws IOException {
        int pairs = quick ? 3 : 5;
        int count = quick ? 500 : 1000;
        System.out.printf("NOOP round trips, %s, %s: %d pairs of %d%n", server, jdk, pairs, count);
        Load.noops(serverPort, "u1", 2000);
        Load.noops(proxy.port, "u1", 2000);
        List<Double> d50 = new ArrayList<>();
        List<Double> d99 = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> added = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            long[] d;
            long[] p;
            if (i % 2 == 0) {
                d = Load.noops(serverPort, "u1", count);
                p = Load.noops(proxy.port, "u1", count);
            } else {
                p = Load.noops(proxy.port, "u1", count);
                d = Load.noops(serverPort, "u1", count);
            }
            d50.add(Load.percentile(d, 0.5) / 1e3);
            d99.add(Load.percentile(d, 0.99) / 1e3);
            p50.add(Load.percentile(p, 0.5) / 1e3);
            p99.add(Load.percentile(p, 0.99) / 1e3);
            added.add((Load.percentile(p, 0.5) - Load.percentile(d, 0.5)) / 1e6);
        }
        double add = median(added);
        System.out.printf("  direct p50 %.0f µs, proxy p50 %.0f µs, added p50 %.3f ms%n", median(d50), median(p50), add);
        return new Row(server, jdk, f0(median(d50)) + " / " + f0(median(d99)), f0(median(p50)) + " / " + f0(median(p99)),
                f3(add), verdict(add <= 0.1, f3(add) + " ms vs ≤ 0.1 ms"));
    }

    private Row memory(Map.Entry<String, String> jdk, int serverPort, int n) throws Exception {
        System.out.printf("Idle sessions, %d, %s%n", n, jdk.getKey());
        try (Child proxy = startProxy(jdk, serverPort, "memory-" + n)) {
            Load.sessions(proxy.port, CLIENTS, 1, 500);
            Thread.sleep(IDLE_MILLIS);
            long heap0 = Long.parseLong(proxy.ask("heap", "HEAP "));
            ProcStats s0 = ProcStats.of(proxy.pid());
            nmt(jdk, proxy, "baseline", null);
            try (Load.Idle idle = Load.idle(proxy.port, n, CLIENTS, USERS, quick ? 60 : 120)) {
                int open = idle.connections().size();
                // Each open session holds a client and a server descriptor; wait until the proxy has them.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ProcStats.fds(proxy.pid()) < s0.fds() + 2L * open && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                Thread.sleep(IDLE_MILLIS);
                long heap1 = Long.parseLong(proxy.ask("heap", "HEAP "));
                ProcStats s1 = ProcStats.of(proxy.pid());
                nmt(jdk, proxy, "summary.diff", "nmt-" + jdk.getKey().replaceAll("\\W+", "") + "-" + n + ".txt");
                int per = Math.max(1, open);
                double rss = (s1.rssBytes() - s0.rssBytes()) / 1024.0 / per;
                double pss = (s1.pssBytes() - s0.pssBytes()) / 1024.0 / per;
                double heap = (heap1 - heap0) / 1024.0 / per;
                double threads = (s1.threads() - s0.threads()) / (double) per;
                double fds = (s1.fds() - s0.fds()) / (double) per;
                boolean virtual = !jdk.getKey().contains("17");
                double limit = virtual ? 8 : 64;
                System.out.printf("  %d open, %d failed%s; per session: RSS %.1f KB, PSS %.1f KB, heap %.1f KB, "
                                + "threads %.2f, fds %.2f%n", open, idle.failed(),
                        idle.firstError().isEmpty() ? "" : " (" + idle.firstError() + ")", rss, pss, heap, threads, fds);
                return new Row(jdk.getKey(), Integer.toString(n), Integer.toString(open),
                        idle.failed() + (idle.firstError().isEmpty() ? "" : " (" + idle.firstError() + ")"),
                        f1(rss), f1(pss), f1(heap), f2(threads), f2(fds),
                        verdict(rss <= limit, f1(rss) + " KB vs ≤ " + (int) limit + " KB")
                                + (n >= 8000 ? "; " + verdict(idle.failed() == 0, idle.failed() + " errors at " + n) : ""));
            }
        }
    }

    private List<Row> inetd(Map.Entry<String, String> jdk, int serverPort) throws Exception {
        int runs = 15;
        List<Row> rows = new ArrayList<>();
        String lean = leanClasspath();
        String java = jdk.getValue();
        System.out.printf("inetd time to greeting, %s, median of %d%n", jdk.getKey(), runs);
        Timing hello = spawnTiming(runs, List.of(java, "-cp", lean, Hello.class.getName()), false);
        rows.add(new Row(jdk.getKey(), "empty JVM (Hello: writes a greeting, exits)", f1(hello.median),
                f1(hello.min) + " – " + f1(hello.max), "baseline", "—", ""));
        Timing standIn = spawnTiming(runs, List.of(java, "-cp", lean, InetdMain.class.getName(), "127.0.0.1",
                Integer.toString(serverPort)), true);
        // A reference, not the product: the engine alone, no archive, greeting from the session.
        rows.add(new Row(jdk.getKey(), "reference: the engine alone (InetdMain, class path, no archive)",
                f1(standIn.median), f1(standIn.min) + " – " + f1(standIn.max), "+" + f1(standIn.median - hello.median),
                f1(standIn.replyMedian), "(not what users run)"));
        if (!launcher.isEmpty()) {
            // The launcher on this JDK (JAVA_HOME), with the archive bench/run.sh made for it.
            Timing bin = spawnTiming(runs, List.of("env", "JAVA_HOME=" + Path.of(java).getParent().getParent(),
                    launcher, "127.0.0.1:" + serverPort), true);
            String asRoot = "root".equals(System.getProperty("user.name")) ? " (as root: changes to nobody)" : "";
            rows.add(new Row(jdk.getKey(), launcher + asRoot, f1(bin.median),
                    f1(bin.min) + " – " + f1(bin.max), "+" + f1(bin.median - hello.median),
                    f1(bin.replyMedian), verdict(bin.median <= 60, f1(bin.median) + " ms vs ≤ 60 ms")));
        }
        for (Row r : rows) {
            System.out.println("  " + String.join(" | ", r.cells()));
        }
        return rows;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Notes each of {@link #DAEMON_FLAGS} that {@code bin/pop3.proxy} does not pass (any more). */
    private void checkLauncherFlags() throws IOException {
        Path launcher = Path.of("bin", "pop3.proxy");
        if (!Files.isRegularFile(launcher)) {
            return;
        }
        String text = Files.readString(launcher);
        for (String flag : DAEMON_FLAGS) {
            if (!text.contains(flag)) {
                note("bin/pop3.proxy no longer passes " + flag + " to a daemon: update Bench.DAEMON_FLAGS");
            }
        }
    }

    private record Timing(double median, double min, double max, double replyMedian) {}

    /**
     * Runs bench/inetd_greeting.py, which hands a connected socket to the command as stdin/stdout;
     * with {@code reply}, it also times the answer to a USER sent after the greeting.
     */
    private Timing spawnTiming(int runs, List<String> cmd, boolean reply) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("python3", "bench/inetd_greeting.py", "--runs",
                Integer.toString(runs)));
        if (reply) {
            full.add("--reply");
        }
        full.add("--");
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.appendTo(
                logDir.resolve("inetd.log").toFile())).start();
        String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("inetd_greeting.py failed for " + cmd + ": " + outText);
        }
        // The helper prints "median min max" in milliseconds on its last line, then the same for
        // the answer to USER with --reply.
        String[] last = outText.substring(outText.lastIndexOf('\n') + 1).trim().split("\\s+");
        return new Timing(Double.parseDouble(last[0]), Double.parseDouble(last[1]), Double.parseDouble(last[2]),
                last.length > 3 ? Double.parseDouble(last[3]) : Double.NaN);
    }

    /** The class path an inetd launcher would have: the engine, its API and slf4j-api, no test servers. */
    private String leanClasspath() {
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(e -> !e.endsWith(".jar") || Path.of(e).getFileName().toString().matches(
                        "(pop3proxy-(api|engine)|slf4j-api)-.*\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Returns the CPU nanoseconds of the thread groups whose name holds {@code part}. */
    private static long cpuOf(Map<String, long[]> groups, String part) {
        return groups.entrySet().stream().filter(e -> e.getKey().contains(part))
                .mapToLong(e -> e.getValue()[0] + e.getValue()[1]).sum();
    }

    /**
     * Prints the whole machine's busy CPU per session and its idle share in a direct run and in
     * the paired proxy run: whether a lower rate through a relay is its own CPU (the machine is
     * saturated and the difference in busy time is the relay's) or waiting (idle time grows).
     * Each reading is {idle, all} from {@link ProcStats#machineNanos}.
     */
    private static void machine(long[] d0, long[] d1, int direct, long[] p0, long[] p1, int proxied) {
        System.out.printf("  machine busy CPU per session (idle share): direct %.3f ms (%.0f%%), proxy %.3f ms (%.0f%%)%n",
                busyNanos(d0, d1) / 1e6 / Math.max(1, direct), idlePercent(d0, d1),
                busyNanos(p0, p1) / 1e6 / Math.max(1, proxied), idlePercent(p0, p1));
    }

    private static long busyNanos(long[] a, long[] b) {
        return (b[1] - a[1]) - (b[0] - a[0]);
    }

    private static double idlePercent(long[] a, long[] b) {
        long all = b[1] - a[1];
        return all == 0 ? 0 : 100.0 * (b[0] - a[0]) / all;
    }

    /** Prints where the proxy's CPU time went in one run, by thread group, user and system, per session. */
    private static void threadCpu(Map<String, long[]> before, Map<String, long[]> after, int sessions) {
        StringBuilder b = new StringBuilder("  proxy CPU by thread group, µs per session (user/system): ");
        after.entrySet().stream()
                .map(e -> {
                    long[] a = e.getValue();
                    long[] z = before.getOrDefault(e.getKey(), new long[2]);
                    return Map.entry(e.getKey(), new long[] {a[0] - z[0], a[1] - z[1]});
                })
                .filter(e -> e.getValue()[0] + e.getValue()[1] > 0)
                .sorted((x, y) -> Long.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
                .limit(8)
                .forEach(e -> b.append(e.getKey()).append(' ').append(e.getValue()[0] / 1000 / Math.max(1, sessions))
                        .append('/').append(e.getValue()[1] / 1000 / Math.max(1, sessions)).append("; "));
        System.out.println(b);
    }

    /** Runs jcmd VM.native_memory when the proxy tracks native memory; saves the answer to a log. */
    private void nmt(Map.Entry<String, String> jdk, Child proxy, String what, String file)
            throws IOException, InterruptedException {
        if (proxyOpts.stream().noneMatch(o -> o.startsWith("-XX:NativeMemoryTracking"))) {
            return;
        }
        Path jcmd = Path.of(jdk.getValue()).resolveSibling("jcmd");
        ProcessBuilder pb = new ProcessBuilder(jcmd.toString(), Long.toString(proxy.pid()), "VM.native_memory", what);
        pb.redirectErrorStream(true);
        pb.redirectOutput(file == null ? ProcessBuilder.Redirect.DISCARD
                : ProcessBuilder.Redirect.to(logDir.resolve(file).toFile()));
        pb.start().waitFor(60, TimeUnit.SECONDS);
        if (file != null) {
            System.out.println("  native memory diff: " + logDir.resolve(file));
        }
    }

    private Child startProxy(Map.Entry<String, String> jdk, int serverPort, String what) throws IOException {
        return startProxy(jdk, serverPort, what, 0);
    }

    /** Starts {@link ProxyMain}; with a {@code clamdPort} above 0 it scans every message there. */
    private Child startProxy(Map.Entry<String, String> jdk, int serverPort, String what, int clamdPort)
            throws IOException {
        String log = "proxy-" + jdk.getKey().replaceAll("\\W+", "") + "-" + what.replaceAll("\\W+", "") + ".log";
        List<String> flags = new ArrayList<>(DAEMON_FLAGS);
        flags.addAll(proxyOpts);
        List<String> args = new ArrayList<>(List.of("127.0.0.1", Integer.toString(serverPort)));
        if (clamdPort > 0) {
            args.add(Integer.toString(clamdPort));
        }
        return Child.start("proxy", jdk.getValue(), flags, classpath, ProxyMain.class.getName(), args,
                logDir.resolve(log));
    }

    private String javaOf(String jdk) {
        return jdk != null ? jdk : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private boolean overBudget(String what) {
        if (System.nanoTime() > deadline) {
            note(what + ": skipped, the time budget was spent");
            return true;
        }
        return false;
    }

    private void note(String text) {
        System.out.println("NOTE: " + text);
        summary.add(text);
    }

    private String verdict(boolean pass, String text) {
        return (pass ? "**pass** " : "**FAIL** ") + "(" + text + ")";
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static <T> double median(List<T> values, java.util.function.ToDoubleFunction<T> f) {
        return median(values.stream().map(f::applyAsDouble).collect(Collectors.toList()));
    }

    private static String ratioText(List<Double> ratios) {
        double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return "**" + f2(median(ratios)) + "×** (" + f2(min) + "–" + f2(max) + ")";
    }

    private static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** One table row. */
    private record Row(List<String> cells) {
        Row(String... cells) {
            this(List.of(cells));
        }
    }

    // ---- the report ---------------------------------------------------------------------------

    private void report(String date, String loadBefore, String loadAfter, List<Row> retr, List<Row> scan,
            List<Row> sessions, List<Row> latency, List<Row> memory, List<Row> inetd) throws Exception {
        md.append("# Benchmarks\n\n")
                .append("Issue 5's benchmark: every proxy figure beside the same figure for a **direct connection to the same\n")
                .append("server, measured in the same run**, proxy and direct runs alternating, ratios = proxy / direct\n")
                .append("(median of the pairs, range in brackets). How it is built and what it measures: see the end of\n")
                .append("this file and [docs/PERFORMANCE.md](docs/PERFORMANCE.md). Regenerated by the command below; do not edit\n")
                .append("the tables by hand.\n\n");
        md.append("## Run\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| Command | `").append(command).append("`").append(quick ? " (quick mode)" : "").append(" |\n");
        md.append("| Date | ").append(date).append(" |\n");
        md.append("| Machine | ").append(machine()).append(" |\n");
        md.append("| Load average (1/5/15 min) | before: ").append(loadBefore).append("; after: ").append(loadAfter)
                .append(" |\n");
        for (Map.Entry<String, String> jdk : jdks.entrySet()) {
            md.append("| ").append(jdk.getKey()).append(" | `").append(jdk.getValue()).append("`: ")
                    .append(javaVersion(jdk.getValue())).append(" |\n");
        }
        if (clamd != null) {
            md.append("| Scanner | ").append(clamdVersion()).append(" (.ci/clamd.sh, for part 1b) |\n");
        }
        md.append("| Servers | ").append(String.join(", ", servers.keySet()))
                .append(" (GreenMail in its own JDK 17 JVM; Dovecot from Debian, bench/dovecot.sh) |\n");
        md.append("| Proxy | engine in daemon mode in its own JVM (`ProxyMain`, no logging backend, the JVM flags of "
                + "`bin/pop3.proxy -D`: `" + String.join(" ", DAEMON_FLAGS) + "`)")
                .append(proxyOpts.isEmpty() ? "" : ", options `" + String.join(" ", proxyOpts) + "`").append(" |\n");
        for (Reference reference : references) {
            md.append("| Reference | ").append(reference.description()).append("; measured like the proxy |\n");
        }
        md.append('\n');
        md.append("The machine has 2 cores shared with other engineers' builds, and the load generator, the server\n")
                .append("and the proxy all share them: absolute numbers are noisy and CPU-bound; the ratios are the figures\n")
                .append("to read.\n\n");

        table("1. RETR of a " + BIG_MB + " MB message", List.of("Server", "Proxy JDK", "direct MB/s", "proxy MB/s",
                        "ratio", "proxy CPU ms per MB", "target: ≥ 0.95 × direct"), retr,
                "MB/s are medians over the pairs; each transfer is timed from RETR to the terminator; the relayed "
                        + "octet count is checked equal to the direct one.");
        table("1b. RETR of a " + BIG_MB + " MB message with virus scanning (-z)", List.of("Server", "Proxy JDK",
                        "direct MB/s", "proxy with -z MB/s", "ratio", "proxy CPU ms per MB", "clamd CPU ms per MB"),
                scan,
                "The proxy spools the message, has clamd scan it (INSTREAM, as `-z` does by default) and only then "
                        + "sends it, so the time includes clamd's scan; clamd runs with the one-signature EICAR "
                        + "database of .ci/clamd.sh (a real database makes its share much larger). No target: the "
                        + "issue asks for the figure. Paired with direct RETRs like part 1; octet counts "
                        + "checked equal but for the X-Proxy-Scanned header line the proxy adds.");
        table("2. Full sessions with " + CLIENTS + " concurrent clients",
                List.of("Server", "Proxy JDK", "direct sessions/s", "proxy sessions/s", "ratio",
                        "direct p50 / p99 ms", "proxy p50 / p99 ms", "proxy CPU ms/session (all / without JIT)", "failed sessions",
                        "target: ≥ 0.9 × direct", "target: ≤ 0.5 ms CPU"), sessions,
                "A session: connect, greeting, USER, PASS, STAT, RETR of a 2 KB message, QUIT. Proxy CPU = "
                        + "utime+stime of the proxy JVM's threads (/proc/<pid>/task/*/stat, 10 ms ticks) over "
                        + "the proxy run / sessions; \"without JIT\" leaves out the compiler threads.");
        table("2b. Latency added per command (NOOP round trips, one logged-in client)",
                List.of("Server", "Proxy JDK", "direct p50 / p99 µs", "proxy p50 / p99 µs", "added p50 ms",
                        "target: ≤ 0.1 ms added"), latency, "");
        table("3. Idle logged-in sessions (GreenMail)",
                List.of("Proxy JDK", "sessions asked", "open", "failed", "RSS KB/session", "PSS KB/session",
                        "live heap KB/session", "threads/session", "fds/session", "target"), memory,
                "Deltas between the proxy process after warm-up and with the sessions open and idle, each read "
                        + "after " + IDLE_MILLIS / 1000 + " s idle and a full GC in the proxy (RSS/PSS from /proc/<pid>/smaps_rollup, threads from status, "
                        + "fds from /proc/<pid>/fd). Targets: ≤ 8 KB per session on JDK 21+ (virtual threads), ≤ 64 KB on "
                        + "JDK 17; 8,000 sessions without errors.");
        table("4. inetd mode: process start to first greeting byte (median of 15)",
                List.of("JDK", "what is spawned", "median ms", "min – max ms", "vs empty JVM",
                        "answer to USER, median ms", "target: ≤ 60 ms"),
                inetd, "bench/inetd_greeting.py connects a loopback TCP socket, hands the accepted end to the "
                        + "process as stdin/stdout, and times from spawn to the first byte. bin/pop3.proxy greets "
                        + "as soon as its command line has been read, before the log, the configuration, the "
                        + "change of user and the session's set-up (as the original answers at once), so the "
                        + "answer to a USER sent right after "
                        + "the greeting is timed too: that is when the whole start-up is done.");
        jmhSection();
        if (!summary.isEmpty()) {
            md.append("## Notes from this run\n\n");
            for (String s : summary) {
                md.append("- ").append(s).append('\n');
            }
            md.append('\n');
        }
        Path tail = Path.of("bench", "BENCHMARKS-tail.md");
        if (Files.exists(tail)) {
            md.append(Files.readString(tail));
        }
        System.out.println();
        System.out.println(md);
        if (out != null) {
            Files.writeString(out, merge(out, md.toString()));
            System.out.println("wrote " + out);
        }
    }

    static final String BEGIN = "<!-- Written by bench/run.sh from here to the end marker; sections outside are kept. -->";
    static final String END = "<!-- End of the part written by bench/run.sh. -->";

    /**
     * Puts the generated report between the markers of an existing file, keeping what others
     * wrote outside them; a file without markers keeps its sections after the generated part.
     */
    static String merge(Path file, String generated) throws IOException {
        String block = BEGIN + "\n" + generated.stripTrailing() + "\n" + END + "\n";
        if (!Files.exists(file)) {
            return block;
        }
        String old = Files.readString(file);
        int b = old.indexOf(BEGIN);
        int e = old.indexOf(END);
        if (b >= 0 && e > b) {
            return old.substring(0, b) + block + old.substring(e + END.length()).replaceFirst("^\n", "");
        }
        String rest = old.startsWith("# Benchmarks\n") ? old.substring("# Benchmarks\n".length()) : old;
        return block + "\n" + rest.stripLeading();
    }

    private void table(String title, List<String> head, List<Row> rows, String caption) {
        if (rows.isEmpty()) {
            return;
        }
        md.append("## ").append(title).append("\n\n");
        md.append("| ").append(String.join(" | ", head)).append(" |\n");
        md.append("|").append("---|".repeat(head.size())).append('\n');
        for (Row r : rows) {
            md.append("| ").append(String.join(" | ", r.cells())).append(" |\n");
        }
        md.append('\n');
        if (!caption.isEmpty()) {
            md.append(caption).append("\n\n");
        }
    }

    private void jmhSection() throws IOException {
        if (jmh.isEmpty()) {
            return;
        }
        md.append("## 5. JMH micro-benchmarks (codec and relay, no sockets)\n\n");
        md.append("| JDK | Benchmark | Params | Score | Error (99.9%) | Unit |\n|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Path> e : jmh.entrySet()) {
            if (!Files.exists(e.getValue())) {
                continue;
            }
            List<String> lines = Files.readAllLines(e.getValue());
            List<String> head = csv(lines.get(0));
            for (String line : lines.subList(1, lines.size())) {
                List<String> c = csv(line);
                StringBuilder params = new StringBuilder();
                for (int i = 7; i < c.size() && i < head.size(); i++) {
                    params.append(params.length() == 0 ? "" : ", ").append(head.get(i).replace("Param: ", ""))
                            .append('=').append(c.get(i));
                }
                String name = c.get(0).substring(c.get(0).lastIndexOf('.', c.get(0).lastIndexOf('.') - 1) + 1);
                md.append("| ").append(e.getKey()).append(" | ").append(name).append(" | ").append(params)
                        .append(" | ").append(fmt(c.get(4))).append(" | ").append(fmt(c.get(5))).append(" | ")
                        .append(c.get(6)).append(" |\n");
            }
        }
        md.append("\n2 forks × 3 iterations × 1 s after 2 × 1 s of warm-up; bench/run.sh runs them.\n\n");
    }

    private static String fmt(String number) {
        try {
            return String.format(Locale.ROOT, "%.1f", Double.parseDouble(number));
        } catch (NumberFormatException e) {
            return number;
        }
    }

    private static List<String> csv(String line) {
        List<String> cells = new ArrayList<>();
        for (String c : line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            cells.add(c.replace("\"", ""));
        }
        return cells;
    }

    private static String machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> l.replaceAll("\\D+", "")).orElse("0");
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        return Runtime.getRuntime().availableProcessors() + " CPUs (nproc), " + cpu + ", "
                + Math.round(Long.parseLong(mem) / 1048576.0) + " GB RAM, Linux " + kernel;
    }

    private static String javaVersion(String java) {
        List<String> lines = outputOf(java, "-version");
        return lines.isEmpty() ? "unknown"
                : lines.size() > 1 ? lines.get(0) + "; " + lines.get(lines.size() - 1) : lines.get(0);
    }
}
