package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pop3proxy.api.ServerTarget;

class CommandLineTest {

    private static CliOptions parse(String... args) throws UsageException {
        return CommandLine.parse(args);
    }

    private static int exitOf(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args)).exitCode();
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void defaultsAreTheManuals() throws Exception {
        CliOptions o = parse("pop.example");
        assertEquals(Optional.empty(), o.accessControlProgram());
        assertEquals("@", o.delimiters());
        assertFalse(o.serverSelection());
        assertEquals(Optional.empty(), o.loginDirectory());
        assertFalse(o.quiet());
        assertEquals(Optional.empty(), o.sourceAddress());
        assertEquals(List.of(), o.allowedServers());
        assertEquals(Duration.ofSeconds(600), o.timeout());
        assertEquals("nobody", o.user());
        assertEquals("PROXY_", o.variablePrefix());
        assertFalse(o.virusScanning());
        assertFalse(o.debug());
        assertFalse(o.daemon());
        assertEquals(Optional.of(new ServerTarget("pop.example", 110, "pop.example")), o.server());
        assertEquals(Path.of("/dev/log"), o.syslogSocket());
        assertEquals(Optional.empty(), o.pidFile());
        assertEquals(Set.of(), o.given());
    }

    @Test
    void everyOptionIsParsedIntoItsValue() throws Exception {
        CliOptions o = parse("-a", "/usr/local/bin/acp -x", "-c", "@%", "-e", "-l", "/var/run/pop3", "-m",
                "-q", "192.0.2.7", "-s", "pop.example,*.corp.example:110", "-t", "30", "-u", "65534.65534",
                "-v", "P3_", "-z", "-d", "--syslog-socket", "/tmp/log.sock", "--pid-file=/tmp/p.pid", "pop.example:1110");
        assertEquals(Optional.of("/usr/local/bin/acp -x"), o.accessControlProgram());
        assertEquals("@%", o.delimiters());
        assertTrue(o.serverSelection());
        assertEquals(Optional.of(Path.of("/var/run/pop3")), o.loginDirectory());
        assertTrue(o.quiet());
        assertEquals(Optional.of(InetAddress.getByName("192.0.2.7")), o.sourceAddress());
        assertEquals(List.of("pop.example", "*.corp.example:110"), o.allowedServers());
        assertEquals(Duration.ofSeconds(30), o.timeout());
        assertEquals("65534.65534", o.user());
        assertEquals("P3_", o.variablePrefix());
        assertTrue(o.virusScanning());
        assertTrue(o.debug());
        assertEquals(Path.of("/tmp/log.sock"), o.syslogSocket());
        assertEquals(Optional.of(Path.of("/tmp/p.pid")), o.pidFile());
        assertEquals(Optional.of(new ServerTarget("pop.example", 1110, "pop.example:1110")), o.server());
        assertEquals(Set.of("a", "c", "e", "l", "m", "q", "s", "t", "u", "v", "z", "d", "syslog-socket", "pid-file"),
                o.given());
    }

    @Test
    void optionArgumentsMayBeAttached() throws Exception {
        CliOptions o = parse("-t45", "-cX", "-aD", "-dmq", "192.0.2.1", "pop.example");
        assertEquals(Duration.ofSeconds(45), o.timeout());
        assertEquals(Optional.of(InetAddress.getByName("192.0.2.1")), o.sourceAddress());
        assertEquals("X", o.delimiters());
        assertEquals(Optional.of("D"), o.accessControlProgram(), "a D inside an option's argument is no -D");
        assertFalse(o.daemon());
        assertTrue(o.debug());
        assertTrue(o.quiet());
    }

    @Test
    void oneDListensOnPort110OfAllInterfaces() throws Exception {
        CliOptions o = parse("-D", "pop.example");
        assertEquals(Optional.of(at("0.0.0.0", 110)), o.listenAddress());
        assertTrue(o.daemon());
        assertTrue(o.wasGiven("D"));
        assertFalse(o.wasGiven("DD"));
    }

    @Test
    void clusteredDaemonAndDebug() throws Exception {
        CliOptions dD = parse("-dD", "pop.example");
        assertTrue(dD.debug());
        assertEquals(Optional.of(at("0.0.0.0", 110)), dD.listenAddress());
        CliOptions eD = parse("-eD", "pop.example");
        assertTrue(eD.serverSelection());
        assertEquals(Optional.of(at("0.0.0.0", 110)), eD.listenAddress());
        CliOptions Dd = parse("-Dd", "pop.example");
        assertTrue(Dd.debug());
        assertTrue(Dd.daemon());
    }

    @Test
    void doubleDTakesTheListenAddressThatFollows() throws Exception {
        assertEquals(Optional.of(at("127.0.0.1", 1110)), parse("-DD", "127.0.0.1:1110", "pop.example").listenAddress());
        assertEquals(Optional.of(at("0.0.0.0", 1110)), parse("-DD", "1110", "pop.example").listenAddress());
        assertEquals(Optional.of(at("127.0.0.1", 1110)), parse("-D", "-D", "127.0.0.1:1110", "pop.example").listenAddress());
        CliOptions dDD = parse("-dDD", "127.0.0.1:1110", "pop.example");
        assertTrue(dDD.debug());
        assertTrue(dDD.wasGiven("DD"));
        assertEquals(Optional.of(at("127.0.0.1", 1110)), dDD.listenAddress());
        assertEquals(Optional.of(at("127.0.0.1", 1110)), parse("-DdD", "127.0.0.1:1110", "pop.example").listenAddress());
        CliOptions split = parse("-dD", "-mD", "127.0.0.1:1110", "pop.example");
        assertTrue(split.quiet());
        assertEquals(Optional.of(at("127.0.0.1", 1110)), split.listenAddress());
    }

    @Test
    void doubleDTakesIpv6InBracketsAndServiceNames() throws Exception {
        assertEquals(Optional.of(at("::1", 1110)), parse("-DD", "[::1]:1110", "pop.example").listenAddress());
        assertEquals(Optional.of(at("::", 110)), parse("-DD", "[::]:110", "pop.example").listenAddress());
        assertEquals(Optional.of(at("127.0.0.1", 110)), parse("-DD", "127.0.0.1:pop3", "pop.example").listenAddress());
        assertEquals(Optional.of(at("0.0.0.0", 995)), parse("-DD", "pop3s", "pop.example").listenAddress());
        assertEquals(Optional.of(at("127.0.0.1", 0)), parse("-DD", "127.0.0.1:0", "pop.example").listenAddress());
    }

    @Test
    void theListenAddressFollowsTheArgumentOfAnOptionInTheSameCluster() throws Exception {
        CliOptions o = parse("-DDt", "30", "127.0.0.1:1110", "pop.example");
        assertEquals(Duration.ofSeconds(30), o.timeout());
        assertEquals(Optional.of(at("127.0.0.1", 1110)), o.listenAddress());
    }

    @Test
    void optionsMayFollowTheServer() throws Exception {
        CliOptions o = parse("pop.example", "-d", "-t", "5");
        assertTrue(o.debug());
        assertEquals(Duration.ofSeconds(5), o.timeout());
    }

    @Test
    void doubleDashEndsTheOptions() throws Exception {
        assertEquals("-odd", parse("--", "-odd").server().orElseThrow().host());
    }

    @Test
    void serverForms() throws Exception {
        assertEquals(new ServerTarget("10.0.0.1", 110, "10.0.0.1"), parse("10.0.0.1").server().orElseThrow());
        assertEquals(new ServerTarget("::1", 1110, "[::1]:1110"), parse("[::1]:1110").server().orElseThrow());
        assertEquals(new ServerTarget("::1", 110, "[::1]"), parse("[::1]").server().orElseThrow());
        assertEquals(new ServerTarget("2001:db8::1", 110, "2001:db8::1"), parse("2001:db8::1").server().orElseThrow());
        assertEquals(new ServerTarget("pop.example", 110, "pop.example:pop3"), parse("pop.example:pop3").server().orElseThrow());
        assertEquals(Optional.empty(), parse("-").server(), "- is no default server");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pop.example:", "pop.example:0", "pop.example:65536", "pop.example:no-such-service",
            ":110", "[::1", "[::1]x", "[pop.example]:110", "a b", "1:2:3:zz", "pop.example:1:2"})
    void badServersAreUsageErrors(String server) {
        assertEquals(255, exitOf(server));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.1:", "::1:1110", "[::1]", "[::1]:", "1.2.3.4:99999", "nosuchservice",
            "[zz]:110", "127.0.0.1:-1"})
    void badListenAddressesAreUsageErrors(String listen) {
        assertEquals(255, exitOf("-DD", listen, "pop.example"));
    }

    @Test
    void usageErrorsExit255() {
        assertEquals(255, exitOf("-x", "pop.example"), "unknown option");
        assertEquals(255, exitOf("--nope", "pop.example"), "unknown long option");
        assertEquals(255, exitOf("--syslog", "x", "pop.example"), "long options are never abbreviated");
        assertEquals(255, exitOf("pop.example", "-t"), "missing argument");
        assertEquals(255, exitOf("-t", "0", "pop.example"));
        assertEquals(255, exitOf("-t", "ten", "pop.example"));
        assertEquals(255, exitOf("-t", "-5", "pop.example"));
        assertEquals(255, exitOf("-t", "1", "-t", "2", "pop.example"), "an option twice");
        assertEquals(255, exitOf("-DD"), "-DD without its address");
        assertEquals(255, exitOf("-DDD", "1110", "pop.example"), "-D three times");
        assertEquals(255, exitOf("-s", "pop.example", "pop.example"), "-s needs -e");
        assertEquals(255, exitOf("-e", "-s", "a,,b", "pop.example"), "empty -s entry");
        assertEquals(255, exitOf("-c", "", "pop.example"));
        assertEquals(255, exitOf("-v", "BAD=", "pop.example"));
        assertEquals(255, exitOf("-q", "pop.example", "pop.example"), "-q takes an IP number");
        assertEquals(255, exitOf("-q", "256.1.1.1", "pop.example"));
        assertEquals(255, exitOf("a.example", "b.example"), "two servers");
    }

    @Test
    void aMissingServerExits1() {
        assertEquals(1, exitOf());
        assertEquals(1, exitOf("-d", "-DD", "127.0.0.1:1110"));
    }

    @Test
    void normaliseTakesDOutAndCountsIt() throws Exception {
        CommandLine.Normalised n = CommandLine.normalise("-dDe", "-mD", "1110", "srv");
        assertEquals(List.of("-de", "-m", "srv"), n.args());
        assertEquals(2, n.daemons());
        assertEquals("1110", n.listen());
    }

    @Test
    void normaliseLeavesLongOptionArgumentsAlone() throws Exception {
        CommandLine.Normalised n = CommandLine.normalise("--pid-file", "-D", "srv");
        assertEquals(List.of("--pid-file", "-D", "srv"), n.args());
        assertEquals(0, n.daemons());
    }

    @Test
    void helpIsRecognisedBeforeTheDoubleDash() {
        assertTrue(CommandLine.wantsHelp("-d", "--help"));
        assertFalse(CommandLine.wantsHelp("--", "--help"));
    }
}
