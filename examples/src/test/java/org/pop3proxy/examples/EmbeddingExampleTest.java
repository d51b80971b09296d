package org.pop3proxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;
import org.pop3proxy.testkit.FaultyUpstream;
import org.pop3proxy.testkit.Pop3Bytes;
import org.pop3proxy.testkit.Pop3ProxyHarness;
import org.pop3proxy.testkit.ScriptClient;

/** The routing table and the network rule, run through the real proxy against two GreenMail servers. */
class EmbeddingExampleTest {
    private Pop3ProxyHarness sales;
    private Pop3ProxyHarness lab;
    private FaultyUpstream counter;
    private Path table;

    @BeforeEach
    void start(@TempDir Path dir) throws IOException {
        sales = Pop3ProxyHarness.builder().user("ann@sales.example", "ann-pw")
                .message("ann@sales.example", "Subject: sales news\r\n\r\nfrom the sales server\r\n").start();
        lab = Pop3ProxyHarness.builder().user("bo@lab.example", "bo-pw")
                .message("bo@lab.example", "Subject: lab news\r\n\r\nfrom the lab server\r\n").start();
        counter = FaultyUpstream.builder().user("eve@counted.example", "x").start();
        table = dir.resolve("routes.txt");
        Files.writeString(table, "# login-pattern  server\n"
                + "*@sales.example  127.0.0.1:" + sales.upstreamPort() + "\n"
                + "*@LAB.example    127.0.0.1:" + lab.upstreamPort() + "\n"
                + "*@counted.example 127.0.0.1:" + counter.port() + "\n");
    }

    @AfterEach
    void stop() {
        sales.close();
        lab.close();
        counter.close();
    }

    private void use(List<String> networks) throws IOException {
        ProxyConfig config = EmbeddingExample.config(table, networks);
        sales.reconfigure(b -> b.selector(config.selector()).accessController(config.accessController()));
    }

    private static String fetchFirst(ScriptClient c) {
        c.send("RETR 1").expectStartsWith("+OK");
        return new String(Pop3Bytes.dotUnstuff(c.readMultiline()), StandardCharsets.US_ASCII);
    }

    @Test
    void routesEachLoginToItsServer() throws IOException {
        use(List.of("127.0.0.0/8"));
        try (ScriptClient c = sales.login("ann@sales.example", "ann-pw")) {
            assertTrue(fetchFirst(c).endsWith("\r\nfrom the sales server\r\n"));
        }
        try (ScriptClient c = sales.login("bo@lab.example", "bo-pw")) {
            assertTrue(fetchFirst(c).endsWith("\r\nfrom the lab server\r\n"));
        }
    }

    @Test
    void unroutedLoginIsABadLogin() throws IOException {
        use(List.of("127.0.0.0/8"));
        try (ScriptClient c = sales.client()) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER ann@elsewhere.example").expect("+OK password required");
            c.send("PASS ann-pw").expect("-ERR bad login");
            c.expectClosed();
        }
    }

    @Test
    void clientOutsideTheNetworksNeverReachesAServer() throws IOException {
        use(List.of("10.0.0.0/8", "::1/128"));
        try (ScriptClient c = sales.client()) {
            c.expect("+OK POP3 proxy ready");
            c.send("USER eve@counted.example").expect("+OK password required");
            c.send("PASS x").expect("-ERR bad login");
            c.expectClosed();
        }
        assertEquals(0, counter.connections());
        use(List.of("127.0.0.1"));
        try (ScriptClient c = sales.login("eve@counted.example", "x")) {
            c.send("STAT").expect("+OK 0 0");
        }
        assertEquals(1, counter.connections());
    }

    @Test
    void mainWiresBothFromTheCommandLine() throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (ProxyServer server = EmbeddingExample.start(
                new String[] {table.toString(), "127.0.0.0/8,::1/128", "127.0.0.1:0"},
                new PrintStream(printed, true, StandardCharsets.UTF_8));
             ScriptClient c = ScriptClient.connect(server.port())) {
            assertTrue(printed.toString(StandardCharsets.UTF_8).contains("listening on 127.0.0.1:" + server.port()));
            c.expect("+OK POP3 proxy ready");
            c.send("USER bo@lab.example").expect("+OK password required");
            c.send("PASS bo-pw").expectStartsWith("+OK");
            assertTrue(fetchFirst(c).contains("Subject: lab news"));
        }
    }
}
