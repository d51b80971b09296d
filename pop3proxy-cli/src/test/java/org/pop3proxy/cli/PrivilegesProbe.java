package org.pop3proxy.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.LoginRecord;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.defaults.LoginFiles;

/**
 * Runs in a JVM of its own for {@link PrivilegesTest}: drops to {@code args[0]}, then reports
 * as {@code key=value} lines what the process can still do. Arguments: user, a root-only file,
 * a world-writable directory for a login file.
 */
public final class PrivilegesProbe {
    private PrivilegesProbe() {}

    public static void main(String[] args) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Thread early = new Thread(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "started-before-drop");
        early.start();
        started.await();

        Privileges.Outcome outcome = Privileges.drop(args[0]);
        System.out.println("outcome=" + outcome);
        System.out.println("status-uid=" + statusLine(Path.of("/proc/self/status"), "Uid:"));
        System.out.println("status-gid=" + statusLine(Path.of("/proc/self/status"), "Gid:"));
        System.out.println("status-groups=" + statusLine(Path.of("/proc/self/status"), "Groups:"));
        TreeSet<String> taskUids = new TreeSet<>();
        int tasks = 0;
        try (Stream<Path> list = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : list.toList()) {
                taskUids.add(statusLine(task.resolve("status"), "Uid:"));
                tasks++;
            }
        }
        System.out.println("tasks=" + tasks);
        System.out.println("task-uids=" + String.join("|", taskUids));
        try (OutputStream out = Files.newOutputStream(Path.of(args[1]), StandardOpenOption.APPEND)) {
            out.write("written by the dropped process\n".getBytes());
            System.out.println("root-file=written");
        } catch (IOException e) {
            System.out.println("root-file=denied");
        }
        ClientInfo client = new ClientInfo(new InetSocketAddress("127.0.0.1", 110),
                new InetSocketAddress("192.0.2.5", 4000));
        LoginFiles.in(Path.of(args[2])).loggedIn(new LoginRecord(Instant.ofEpochSecond(7), client, "bob",
                ServerTarget.of("pop.example.com", 110)));
        Path login = Path.of(args[2], "192.0.2.5");
        System.out.println("login-file-uid=" + (Files.exists(login) ? Files.getAttribute(login, "unix:uid") : "none"));
        System.out.println("regain=" + (LibC.setuid(0) == 0 ? "root" : "refused"));
        System.out.println("second=" + Privileges.drop(args[0]));
        release.countDown();
        early.join();
    }

    private static String statusLine(Path status, String key) throws IOException {
        List<String> lines = Files.readAllLines(status);
        return lines.stream().filter(l -> l.startsWith(key)).findFirst().orElse(key + " ?")
                .substring(key.length()).strip().replaceAll("\\s+", " ");
    }
}
