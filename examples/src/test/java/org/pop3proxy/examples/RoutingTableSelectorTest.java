package org.pop3proxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.Selection;
import org.pop3proxy.api.ServerTarget;

class RoutingTableSelectorTest {
    private static final ClientInfo CLIENT = new ClientInfo(new InetSocketAddress("127.0.0.1", 110),
            new InetSocketAddress("127.0.0.1", 40000));

    private static final RoutingTableSelector TABLE = RoutingTableSelector.parse(List.of(
            "# routes",
            "",
            "*@sales.example     pop.sales.example",
            "  *@lab.example\t10.1.2.3:1110  ",
            "admin               [2001:db8::25]:995",
            "user?@*             fallback.example:2110"));

    private static ServerTarget route(String login) {
        Selection s = TABLE.select(CLIENT, login);
        Selection.Route r = assertInstanceOf(Selection.Route.class, s, login);
        assertEquals(login, r.login());
        return r.server();
    }

    @Test
    void routesByTheFirstMatchingPattern() {
        assertEquals(new ServerTarget("pop.sales.example", 110, "pop.sales.example"), route("ann@sales.example"));
        assertEquals(new ServerTarget("10.1.2.3", 1110, "10.1.2.3:1110"), route("Bob@LAB.example"));
        assertEquals(new ServerTarget("2001:db8::25", 995, "[2001:db8::25]:995"), route("ADMIN"));
        assertEquals("fallback.example:2110", route("user7@sales.example.org").text());
    }

    @Test
    void rejectsLoginsWithoutARoute() {
        for (String login : List.of("admin2", "ann@sales.example.org", "user12@x", "@lab.example.", "")) {
            assertInstanceOf(Selection.Reject.class, TABLE.select(CLIENT, login), login);
        }
    }

    @Test
    void globIsAnchoredAndLinear() {
        assertTrue(RoutingTableSelector.Glob.matches("a*b?c", "axxxbyc"));
        assertFalse(RoutingTableSelector.Glob.matches("a*b?c", "axxxbycd"));
        assertTrue(RoutingTableSelector.Glob.matches("*", ""));
        assertFalse(RoutingTableSelector.Glob.matches("?", ""));
        String text = "a".repeat(5000);
        long start = System.nanoTime();
        assertFalse(RoutingTableSelector.Glob.matches("*a*a*a*a*a*a*b", text));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "matching took too long");
    }

    @Test
    void badLinesAreReportedWithTheirNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RoutingTableSelector.parse(List.of("# ok", "*@a host:99999")));
        assertTrue(e.getMessage().startsWith("line 2:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RoutingTableSelector.parse(List.of("only-one-field")));
        assertThrows(IllegalArgumentException.class, () -> RoutingTableSelector.parse(List.of("x 2001:db8::1")));
        assertThrows(IllegalArgumentException.class, () -> RoutingTableSelector.parse(List.of("x [::1")));
        assertThrows(IllegalArgumentException.class, () -> RoutingTableSelector.parse(List.of("x host:pop3")));
    }

    @Test
    void loadsAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("routes");
        Files.writeString(file, "*@a.example 127.0.0.1:1234\n");
        RoutingTableSelector selector = RoutingTableSelector.load(file);
        Selection.Route r = assertInstanceOf(Selection.Route.class, selector.select(CLIENT, "x@a.example"));
        assertEquals(1234, r.server().port());
        Files.writeString(file, "broken\n");
        IOException e = assertThrows(IOException.class, () -> RoutingTableSelector.load(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
