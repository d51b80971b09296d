package org.pop3proxy.examples;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

/**
 * A runnable demo: an embedded GreenMail POP3 server with two sample mailboxes and pop3proxy in
 * front of it on {@code 127.0.0.1:1110}, serving until Ctrl-C.
 *
 * <p>Usage: {@code Demo [--port N]}; the system property {@code demo.port} works too. When the
 * port is taken, the demo takes a free one and says which.
 */
public final class Demo implements AutoCloseable {
    /** The port the demo proxy listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 1110;
    /** The demo's host: loopback only, so the demo never opens anything to the network. */
    public static final String HOST = "127.0.0.1";

    static final String ALICE_FIRST = "From: Bob <bob@example.org>\r\n"
            + "To: Alice <alice@example.org>\r\n"
            + "Subject: Welcome to the pop3proxy demo\r\n"
            + "Message-ID: <demo-1@example.org>\r\n"
            + "\r\n"
            + "Hello Alice,\r\n"
            + "\r\n"
            + "this message came from GreenMail through pop3proxy.\r\n"
            + ".A line that starts with a dot survives the trip.\r\n";
    static final String ALICE_SECOND = "From: Carol <carol@example.org>\r\n"
            + "To: Alice <alice@example.org>\r\n"
            + "Subject: Lunch?\r\n"
            + "Message-ID: <demo-2@example.org>\r\n"
            + "\r\n"
            + "Noon at the usual place?\r\n";
    static final String BOB_FIRST = "From: Alice <alice@example.org>\r\n"
            + "To: Bob <bob@example.org>\r\n"
            + "Subject: Re: Welcome\r\n"
            + "Message-ID: <demo-3@example.org>\r\n"
            + "\r\n"
            + "Thanks, Bob!\r\n";

    private final GreenMail greenMail;
    private final ProxyServer server;
    private final CountDownLatch closed = new CountDownLatch(1);

    private Demo(GreenMail greenMail, ProxyServer server) {
        this.greenMail = greenMail;
        this.server = server;
    }

    /** Runs the demo until the JVM is stopped. */
    public static void main(String[] args) throws IOException, InterruptedException {
        int port;
        try {
            port = port(args, System.getProperty("demo.port"));
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println("usage: Demo [--port N]");
            System.exit(255);
            return;
        }
        Demo demo = start(port, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
        demo.awaitClose();
    }

    /**
     * Starts GreenMail and the proxy on {@code port} (0 for any free one; a taken port falls back
     * to a free one), prints how to connect on {@code out} and returns the running demo.
     */
    public static Demo start(int port, PrintStream out) throws IOException {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, HOST, ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        try {
            addMailbox(greenMail, "alice", "alice-secret", ALICE_FIRST, ALICE_SECOND);
            addMailbox(greenMail, "bob", "bob-secret", BOB_FIRST);
            int pop3Port = greenMail.getPop3().getPort();
            Pop3Proxy proxy = Pop3Proxy.create(
                    ProxyConfig.builder(ServerSelector.fixed(ServerTarget.of(HOST, pop3Port))).build());
            ProxyServer server;
            String note = "";
            try {
                server = proxy.listen(new InetSocketAddress(HOST, port));
            } catch (BindException e) {
                server = proxy.listen(new InetSocketAddress(HOST, 0));
                note = "  (port " + port + " is busy, so the demo took a free one)";
            }
            Demo demo = new Demo(greenMail, server);
            demo.printInstructions(out, pop3Port, note);
            return demo;
        } catch (IOException | RuntimeException e) {
            greenMail.stop();
            throw e;
        }
    }

    /** Returns the port the proxy listens on. */
    public int proxyPort() {
        return server.port();
    }

    /** Returns the port of the GreenMail POP3 server behind the proxy. */
    public int pop3Port() {
        return greenMail.getPop3().getPort();
    }

    /** Waits until {@link #close()} has run. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Stops the proxy, cutting open sessions, then GreenMail. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // The listening socket is gone either way.
        } finally {
            greenMail.stop();
            closed.countDown();
        }
    }

    static int port(String[] args, String property) {
        int port = DEFAULT_PORT;
        if (property != null && !property.isBlank()) {
            port = parsePort(property.trim());
        }
        for (int i = 0; i < args.length; i++) {
            if ("--port".equals(args[i]) && i + 1 < args.length) {
                port = parsePort(args[++i]);
            } else if (args[i].startsWith("--port=")) {
                port = parsePort(args[i].substring("--port=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        return port;
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below with the text that was given.
        }
        throw new IllegalArgumentException("not a port number: " + text);
    }

    private void printInstructions(PrintStream out, int pop3Port, String note) {
        int p = proxyPort();
        String url = "pop3://" + HOST + ":" + p;
        out.println();
        out.println("pop3proxy demo is running.");
        out.println("  POP3 server (GreenMail): " + HOST + ":" + pop3Port);
        out.println("  pop3proxy in front of it: " + HOST + ":" + p + note);
        out.println("  mailboxes: alice / alice-secret (2 messages), bob / bob-secret (1 message)");
        out.println();
        out.println("List alice's messages:");
        out.println("  curl -s " + url + "/ -u alice:alice-secret");
        out.println("Fetch alice's first message:");
        out.println("  curl -s " + url + "/1 -u alice:alice-secret");
        out.println("Fetch bob's message with Python:");
        out.println("  python3 -c \"import poplib; p = poplib.POP3('" + HOST + "', " + p
                + "); p.user('bob'); p.pass_('bob-secret'); print(b'\\n'.join(p.retr(1)[1]).decode()); p.quit()\"");
        out.println("Or talk POP3 yourself:");
        out.println("  nc -C " + HOST + " " + p + "    (then: USER alice, PASS alice-secret, LIST, RETR 1, QUIT)");
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    private static void addMailbox(GreenMail greenMail, String login, String password, String... messages) {
        GreenMailUser user = greenMail.setUser(login + "@example.org", login, password);
        for (String m : messages) {
            try {
                user.deliver(new MimeMessage(Session.getInstance(new Properties()),
                        new ByteArrayInputStream(m.getBytes(StandardCharsets.US_ASCII))));
            } catch (MessagingException e) {
                throw new IllegalStateException("a demo message does not parse", e);
            }
        }
    }
}
