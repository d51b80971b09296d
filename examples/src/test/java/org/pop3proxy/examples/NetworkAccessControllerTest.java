package org.pop3proxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pop3proxy.api.AccessDecision;
import org.pop3proxy.api.AccessRequest;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.ServerTarget;

class NetworkAccessControllerTest {
    private static final NetworkAccessController CONTROLLER = NetworkAccessController.allowing(
            "10.0.0.0/8", "192.168.1.128/25", "203.0.113.7", "2001:db8::/32", "::1", "::ffff:198.51.100.0/120");

    private static AccessDecision check(String client) throws UnknownHostException {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(client), 40000);
        ClientInfo info = new ClientInfo(new InetSocketAddress("127.0.0.1", 110), remote);
        return CONTROLLER.check(new AccessRequest(info, ServerTarget.of("pop.example", 110), "bob", "", ""));
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.1, true", "10.255.255.255, true", "11.0.0.0, false", "9.255.255.255, false",
        "192.168.1.128, true", "192.168.1.255, true", "192.168.1.127, false",
        "203.0.113.7, true", "203.0.113.8, false",
        "2001:db8::1, true", "2001:db8:ffff:ffff::1, true", "2001:db9::1, false",
        "::1, true", "::2, false",
        "::ffff:10.1.2.3, true", "::ffff:11.1.2.3, false",
        "198.51.100.9, true", "198.51.101.9, false",
        "0.0.0.0, false", "::, false"
    })
    void allowsExactlyTheListedNetworks(String client, boolean allowed) throws UnknownHostException {
        AccessDecision d = check(client);
        assertEquals(allowed, d instanceof AccessDecision.Allow, client + " -> " + d);
        if (!allowed) {
            assertInstanceOf(AccessDecision.Deny.class, d);
        }
    }

    @Test
    void zeroPrefixAllowsTheWholeFamily() throws UnknownHostException {
        NetworkAccessController any4 = NetworkAccessController.allowing("0.0.0.0/0");
        ClientInfo v4 = new ClientInfo(new InetSocketAddress("127.0.0.1", 110), new InetSocketAddress("8.8.8.8", 1));
        ClientInfo v6 = new ClientInfo(new InetSocketAddress("127.0.0.1", 110),
                new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1));
        ServerTarget s = ServerTarget.of("h", 110);
        assertInstanceOf(AccessDecision.Allow.class, any4.check(new AccessRequest(v4, s, "u", "", "")));
        assertInstanceOf(AccessDecision.Deny.class, any4.check(new AccessRequest(v6, s, "u", "", "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.org", "999.1.1.1", "10.1", "10.0.0.0/33", "::1/129",
        "10.0.0.0/x", "", "abc", "1.2.3.4.5", "10.0.0.0/-1", "2001:db8::/32/1"})
    void refusesWhatIsNotAnIpNetwork(String cidr) {
        assertThrows(IllegalArgumentException.class, () -> NetworkAccessController.allowing(cidr));
    }
}
