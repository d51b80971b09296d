package org.pop3proxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A POP3 server for tests speaking TLS from the first byte or after STLS, with a chosen
 * certificate; it records every line and whether it arrived over TLS. {@code stlsReply} is what
 * it answers to STLS (upgrading only when that starts with {@code +OK}).
 */
final class TlsUpstreamServer implements AutoCloseable {
    private final ServerSocket socket;
    private final ClientTls tls;
    private final boolean implicit;
    private final String stlsReply;
    /** Every line received, prefixed {@code tls:} or {@code plain:}. */
    final List<String> received = new CopyOnWriteArrayList<>();

    TlsUpstreamServer(ClientTls tls, boolean implicit, String stlsReply) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.tls = tls;
        this.implicit = implicit;
        this.stlsReply = stlsReply;
        Thread t = new Thread(this::serve, "tls-upstream");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket accepted = socket.accept()) {
                accepted.setSoTimeout(5000);
                Socket s = accepted;
                if (implicit) {
                    s = tls.serverSocket(accepted);
                }
                boolean secure = implicit;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                write(out, "+OK test server ready\r\n");
                String line;
                while ((line = ScriptedServer.readLine(in)) != null) {
                    received.add((secure ? "tls:" : "plain:") + line);
                    if (line.equals("STLS") && !secure) {
                        write(out, stlsReply);
                        if (!stlsReply.startsWith("+OK")) {
                            continue;
                        }
                        s = tls.serverSocket(accepted);
                        in = s.getInputStream();
                        out = s.getOutputStream();
                        secure = true;
                    } else if (line.startsWith("RETR")) {
                        write(out, "+OK\r\nSubject: tls\r\n\r\nsecret mail\r\n.\r\n");
                    } else if (line.equals("QUIT")) {
                        write(out, "+OK bye\r\n");
                        break;
                    } else {
                        write(out, "+OK\r\n");
                    }
                }
            } catch (IOException e) {
                // The proxy went away or the handshake failed; tests assert on `received`.
            }
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
