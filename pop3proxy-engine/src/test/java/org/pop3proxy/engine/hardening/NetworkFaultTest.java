package org.pop3proxy.engine.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.netcrusher.core.reactor.NioReactor;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network faults (NetCrusher) on either link at every protocol point: drops, resets, freezes
 * and drips. Whatever happens, both sides are closed, the server gets no QUIT the client did not
 * send, the client never receives a cut body's terminator, and no spool file is left.
 */
class NetworkFaultTest {
    /** The proxy's per-read bound; short so that stalls end quickly. */
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final byte[] MESSAGE = Harness.bodyLines(57_000);
    /** Larger than every buffer between proxy and client (socket buffers, NetCrusher's queues). */
    static final byte[] LARGE = Harness.bodyLines(340_000);

    private static NioReactor reactor;

    /** Where the server stops and the fault strikes (server link). */
    enum ServerPoint { BEFORE_GREETING, AFTER_USER, AFTER_PASS, MID_COMMAND, MID_BODY }

    /** Where the client stops and the fault strikes (client link). */
    enum ClientPoint { AT_CONNECT, AFTER_GREETING, AFTER_USER, AFTER_LOGIN, MID_COMMAND, MID_BODY }

    @TempDir
    Path spool;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startReactor() throws IOException {
        reactor = new NioReactor();
    }

    @AfterAll
    static void stopReactor() {
        reactor.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    static Stream<Arguments> serverFaults() {
        List<Arguments> cases = new ArrayList<>();
        for (ServerPoint point : ServerPoint.values()) {
            for (Fault.Kind kind : Fault.Kind.values()) {
                cases.add(Arguments.of(point, kind, true));
                if (point.compareTo(ServerPoint.MID_COMMAND) >= 0) {
                    cases.add(Arguments.of(point, kind, false));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} on the server link {0}, scanning={2}")
    @MethodSource("serverFaults")
    void serverLinkFault(ServerPoint point, Fault.Kind kind, boolean scanning) throws Exception {
        HostileServer server = keep(new HostileServer(c -> mailbox(c, point, MESSAGE)));
        Fault fault = keep(new Fault(reactor, kind, server.port()));
        ProxyServer proxy = keep(Harness.listen(config(fault.port(), scanning)));

        CompletableFuture<Transcript> client = CompletableFuture.supplyAsync(() -> Transcript.of(proxy.port()));
        assertTrue(server.awaitPause(10_000), "the server never reached " + point);
        fault.inject();
        server.resume();
        Transcript t = client.get(20, TimeUnit.SECONDS);
        fault.heal();

        assertTrue(t.closed, "the client's connection was closed: " + t);
        assertFalse(Harness.holdsTerminator(t.bytes), "a cut body must never end with a terminator: " + t);
        assertFalse(t.text().contains("+OK bye"), t.toString());
        assertTrue(Harness.awaitNoSessions(proxy, 10_000), "the session ended");
        fault.close();
        assertTrue(server.awaitAllEnded(10_000), "the server's connection was closed");
        assertFalse(server.receivedVerb("QUIT"), "no QUIT upstream: " + server.received());
        assertEquals(List.of(), Harness.leftovers(spool), "no spool file left");
    }

    static Stream<Arguments> clientFaults() {
        List<Arguments> cases = new ArrayList<>();
        for (ClientPoint point : ClientPoint.values()) {
            for (Fault.Kind kind : Fault.Kind.values()) {
                cases.add(Arguments.of(point, kind, true));
                if (point.compareTo(ClientPoint.MID_COMMAND) >= 0) {
                    cases.add(Arguments.of(point, kind, false));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} on the client link {0}, scanning={2}")
    @MethodSource("clientFaults")
    void clientLinkFault(ClientPoint point, Fault.Kind kind, boolean scanning) throws Exception {
        HostileServer server = keep(new HostileServer(c -> mailbox(c,
                point == ClientPoint.MID_COMMAND ? ServerPoint.MID_COMMAND : null, LARGE)));
        ProxyServer proxy = keep(Harness.listen(config(server.port(), scanning)));
        Fault fault = keep(new Fault(reactor, kind, proxy.port()));

        try (RawClient c = new RawClient(fault.port(), 20_000)) {
            if (point != ClientPoint.AT_CONNECT) {
                c.expect("+OK POP3 proxy ready");
            }
            if (point.compareTo(ClientPoint.AFTER_USER) >= 0) {
                c.send("USER bob").expect("+OK password required");
            }
            if (point.compareTo(ClientPoint.AFTER_LOGIN) >= 0) {
                c.send("PASS secret").expect("+OK logged in");
            }
            if (point == ClientPoint.MID_COMMAND) {
                c.send("STAT");
                assertTrue(server.awaitPause(10_000));
            }
            int before = 0;
            if (point == ClientPoint.MID_BODY) {
                c.send("RETR 1");
                before = readAtLeast(c.in(), 1024 * 1024);
            }
            fault.inject();
            server.resume();
            assertTrue(Harness.awaitNoSessions(proxy, 10_000), "the proxy ended the session");
            fault.heal();
            byte[] rest = readThroughLink(c, fault);
            if (point == ClientPoint.MID_BODY && Harness.holdsTerminator(rest)) {
                // The whole body had left the proxy before the fault struck: then it must be whole.
                int added = scanning ? "X-Proxy-Scanned: pop3proxy; clean-test-scanner\r\n".length() : 0;
                assertEquals(LARGE.length + 3 + added, before + firstTerminatorEnd(rest),
                        "a terminator only after the complete body");
            } else {
                assertFalse(Harness.holdsTerminator(rest), "no terminator after a cut");
            }
        }
        assertTrue(server.awaitAllEnded(10_000), "the server's connection was closed");
        assertFalse(server.receivedVerb("QUIT"), "no QUIT upstream: " + server.received());
        boolean loggedIn = point.compareTo(ClientPoint.AFTER_LOGIN) >= 0;
        assertEquals(loggedIn ? 1 : 0, server.connections(), "the server is contacted only on PASS");
        assertEquals(List.of(), Harness.leftovers(spool), "no spool file left");
    }

    private ProxyConfig config(int port, boolean scanning) {
        return (scanning ? Harness.scanning(port, TIMEOUT, spool) : Harness.config(port, TIMEOUT)).build();
    }

    /**
     * Reads what the link still delivers after the proxy closed. NetCrusher does not always pass
     * a close on after a freeze or a drip while it still holds queued data, so after a quiet
     * second the link itself is closed and the rest read.
     */
    private static byte[] readThroughLink(RawClient c, Fault fault) throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        c.socket().setSoTimeout(1000);
        while (true) {
            try {
                int n = c.in().read(buf);
                if (n < 0) {
                    return got.toByteArray();
                }
                got.write(buf, 0, n);
            } catch (java.net.SocketTimeoutException e) {
                fault.close();
            } catch (IOException reset) {
                return got.toByteArray();
            }
        }
    }

    /** Returns the index just past the first terminator line in {@code b}. */
    private static int firstTerminatorEnd(byte[] b) {
        for (int i = 0; i + 5 <= b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '.' && b[i + 3] == '\r' && b[i + 4] == '\n') {
                return i + 5;
            }
        }
        return -1;
    }

    /** Reads at least {@code n} bytes (the status line included) and returns how many body bytes came. */
    private static int readAtLeast(InputStream in, int n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int total = 0;
        while (total < n) {
            int r = in.read(buf);
            if (r < 0) {
                throw new AssertionError("EOF after " + total + " bytes");
            }
            total += r;
        }
        return total - ("+OK " + LARGE.length + " octets\r\n").length();
    }

    /** A well-behaved one-message server that pauses at {@code point} (null: never). */
    static void mailbox(HostileServer.Conversation c, ServerPoint point, byte[] message)
            throws IOException, InterruptedException {
        int size = message.length;
        if (point == ServerPoint.BEFORE_GREETING) {
            c.pause();
        }
        c.send("+OK fault server ready");
        if (c.readLine() == null) {
            return;
        }
        if (point == ServerPoint.AFTER_USER) {
            c.pause();
        }
        c.send("+OK user");
        if (c.readLine() == null) {
            return;
        }
        if (point == ServerPoint.AFTER_PASS) {
            c.pause();
        }
        c.send("+OK logged in");
        String line;
        while ((line = c.readLine()) != null) {
            String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
            switch (verb) {
                case "STAT":
                    if (point == ServerPoint.MID_COMMAND) {
                        c.pause();
                    }
                    c.send("+OK 1 " + size);
                    break;
                case "RETR":
                    c.send("+OK " + size + " octets");
                    c.out().write(message, 0, size / 2);
                    c.out().flush();
                    if (point == ServerPoint.MID_BODY) {
                        c.pause();
                    }
                    c.out().write(message, size / 2, size - size / 2);
                    c.raw(".\r\n".getBytes(StandardCharsets.US_ASCII));
                    break;
                case "QUIT":
                    c.send("+OK bye");
                    return;
                default:
                    c.send("+OK");
                    break;
            }
        }
    }

    /** What a client saw of a whole session: greeting, login, STAT, RETR 1, QUIT. */
    static final class Transcript {
        final byte[] bytes;
        final boolean closed;

        private Transcript(byte[] bytes, boolean closed) {
            this.bytes = bytes;
            this.closed = closed;
        }

        /** Runs the session, stopping at the first failure, then waits for the close. */
        static Transcript of(int port) {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            try (RawClient c = new RawClient(port, 15_000)) {
                String[] commands = {null, "USER bob", "PASS secret", "STAT", "RETR 1", "QUIT"};
                for (String command : commands) {
                    if (command != null) {
                        c.send(command);
                    }
                    String line = c.readLine();
                    if (line == null) {
                        return new Transcript(seen.toByteArray(), true);
                    }
                    seen.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    if (!line.startsWith("+OK")) {
                        break;
                    }
                    if ("RETR 1".equals(command)) {
                        byte[] body = readBody(c.in());
                        seen.writeBytes(body);
                        if (!Harness.holdsTerminator(body)) {
                            return new Transcript(seen.toByteArray(), true);
                        }
                    }
                    if ("QUIT".equals(command)) {
                        break;
                    }
                }
                seen.writeBytes(c.readToClose());
                return new Transcript(seen.toByteArray(), true);
            } catch (AssertionError e) {
                return new Transcript(seen.toByteArray(), false);
            } catch (IOException e) {
                return new Transcript(seen.toByteArray(), true);
            }
        }

        /** Reads up to the terminator or the close, whichever comes first. */
        private static byte[] readBody(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int last = 0;
            int c;
            try {
                while ((c = in.read()) >= 0) {
                    b.write(c);
                    last = (last << 8) | c;
                    if ((last & 0xffffff) == 0x2e0d0a && b.size() >= 5
                            && Harness.holdsTerminator(tail(b.toByteArray()))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("body neither ended nor closed", e);
            } catch (IOException reset) {
                // Closed by a reset.
            }
            return b.toByteArray();
        }

        private static byte[] tail(byte[] b) {
            return java.util.Arrays.copyOfRange(b, b.length - 5, b.length);
        }

        String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            String s = text();
            return (closed ? "closed, " : "OPEN, ") + bytes.length + " bytes: "
                    + (s.length() > 300 ? s.substring(0, 300) + "..." : s);
        }
    }
}
