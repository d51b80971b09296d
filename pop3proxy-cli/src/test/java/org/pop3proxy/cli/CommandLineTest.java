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
import java.util.OptionalInt;
import java.util.OptionalLong;
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
    void longOptionsDefaultToTheEnginesValues() throws Exception {
        CliOptions o = parse("pop.example");
        assertEquals(new CliOptions.Scanning("127.0.0.1", 3310, Optional.empty(), false, Optional.empty(),
                OptionalLong.empty(), OptionalLong.empty()), o.scanning());
        assertEquals(new CliOptions.Tls(Optional.empty(), Optional.empty(), false, false, false, "none",
                Optional.empty(), false, Optional.empty()), o.tls());
        assertEquals(new CliOptions.Limits(OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), false),
                o.limits());
    }

    @Test
    void everyLongOptionIsParsedIntoItsValue() throws Exception {
        CliOptions o = parse("-z", "--clamd", "[::1]:3311", "--clamd-mode=CONTSCAN", "--spool-dir", "/var/spool/p3",
                "--max-scan-size", "10M", "--max-spool-total=2G", "--tls-cert", "/etc/c.pem", "--tls-key", "/etc/k.pem",
                "--tls-required", "--capa", "--upstream-tls", "stls", "--upstream-ca", "/etc/ca.pem",
                "--proxy-protocol", "--proxy-protocol-from", "10.0.0.2,10.0.1.0/24", "-DD", "1110",
                "--max-sessions", "50", "--max-sessions-per-client=3", "--auth-timeout", "30", "--relay-server-errors",
                "pop.example");
        assertEquals(new CliOptions.Scanning("::1", 3311, Optional.empty(), true, Optional.of(Path.of("/var/spool/p3")),
                OptionalLong.of(10L << 20), OptionalLong.of(2L << 30)), o.scanning());
        assertEquals(new CliOptions.Tls(Optional.of(Path.of("/etc/c.pem")), Optional.of(Path.of("/etc/k.pem")), true,
                false, true, "stls", Optional.of(Path.of("/etc/ca.pem")), false, Optional.of("10.0.0.2,10.0.1.0/24")),
                o.tls());
        assertEquals(new CliOptions.Limits(OptionalInt.of(50), OptionalInt.of(3), Optional.of(Duration.ofSeconds(30)),
                true), o.limits());
        assertEquals(Optional.of(Path.of("/tmp/s")), parse("-z", "--clamd-socket", "/tmp/s", "x").scanning().clamdSocket());
    }

    @Test
    void longOptionCombinationsThatWouldDoNothingAreUsageErrors() {
        assertEquals(255, exitOf("--clamd", "127.0.0.1", "pop.example"), "needs -z");
        assertEquals(255, exitOf("--spool-dir", "/tmp", "pop.example"), "needs -z");
        assertEquals(255, exitOf("--max-scan-size", "1M", "pop.example"), "needs -z");
        assertEquals(255, exitOf("--max-spool-total", "1M", "pop.example"), "needs -z");
        assertEquals(255, exitOf("-z", "--clamd", "h", "--clamd-socket", "/s", "pop.example"));
        assertEquals(255, exitOf("-z", "--clamd-mode", "fast", "pop.example"));
        assertEquals(255, exitOf("-z", "--clamd", "h:0", "pop.example"));
        assertEquals(255, exitOf("-z", "--max-scan-size", "0", "pop.example"));
        assertEquals(255, exitOf("-z", "--max-scan-size", "12T", "pop.example"));
        assertEquals(255, exitOf("--tls-cert", "c.pem", "pop.example"), "cert without key");
        assertEquals(255, exitOf("--tls-key", "k.pem", "pop.example"), "key without cert");
        assertEquals(255, exitOf("--tls-required", "pop.example"));
        assertEquals(255, exitOf("--pop3s", "pop.example"));
        assertEquals(255, exitOf("--upstream-tls", "maybe", "pop.example"));
        assertEquals(255, exitOf("--upstream-ca", "ca.pem", "pop.example"), "CA without upstream TLS");
        assertEquals(255, exitOf("--upstream-insecure", "pop.example"));
        assertEquals(255, exitOf("--upstream-tls", "stls", "--upstream-ca", "ca.pem", "--upstream-insecure",
                "pop.example"));
        assertEquals(255, exitOf("--proxy-protocol", "pop.example"), "trusting everyone");
        assertEquals(255, exitOf("--proxy-protocol-from", "10.0.0.1", "pop.example"));
        assertEquals(255, exitOf("--max-sessions", "5", "pop.example"), "daemon only");
        assertEquals(255, exitOf("-DD", "1110", "--max-sessions", "0", "pop.example"));
        assertEquals(255, exitOf("-DD", "1110", "--max-sessions-per-client", "x", "pop.example"));
        assertEquals(255, exitOf("--auth-timeout", "0", "pop.example"));
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

    @Test
    void byteCountsAreDigitsWithABinarySuffix() throws UsageException {
        assertEquals(OptionalLong.of(5), CommandLine.bytes(Optional.of("5"), "--x"));
        assertEquals(OptionalLong.of(10 * 1024), CommandLine.bytes(Optional.of("10k"), "--x"));
        assertEquals(OptionalLong.of(3L << 20), CommandLine.bytes(Optional.of("3M"), "--x"));
        assertEquals(OptionalLong.of(2L << 30), CommandLine.bytes(Optional.of("2g"), "--x"));
        assertEquals(OptionalLong.of(999_999_999_999L), CommandLine.bytes(Optional.of("999999999999"), "--x"));
        assertEquals(OptionalLong.empty(), CommandLine.bytes(Optional.empty(), "--x"));
        for (String bad : List.of("", "K", "0", "0K", "1.5M", "-1", "1KB", "1 K", "1234567890123", "12T", "１K")) {
            assertThrows(UsageException.class, () -> CommandLine.bytes(Optional.of(bad), "--x"), bad);
        }
    }
}
