package org.pop3proxy.bench;

import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import org.pop3proxy.api.ClientInfo;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;

/**
 * Serves one session in inetd mode, the client socket being standard input and output,
 * forwarding to {@code <host> <port>}. A stand-in for {@code bin/pop3.proxy} until the launcher
 * exists: the same engine entry point the launcher uses.
 */
public final class InetdMain {
    private InetdMain() {}

    public static void main(String[] args) throws Exception {
        Pop3Proxy proxy = Pop3Proxy.create(ProxyConfig.builder(ServerSelector.fixed(
                ServerTarget.of(args[0], Integer.parseInt(args[1])))).build());
        Channel inherited = System.inheritedChannel();
        if (inherited instanceof SocketChannel) {
            proxy.serve(((SocketChannel) inherited).socket());
        } else {
            InetSocketAddress none = new InetSocketAddress("127.0.0.1", 0);
            proxy.serve(System.in, System.out, new ClientInfo(none, none), () -> Runtime.getRuntime().halt(1));
        }
    }
}
