package org.pop3proxy.testkit;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;

/**
 * A running POP3 server with a pop3proxy in front of it, for tests: GreenMail (POP3 and SMTP) or
 * a {@link FaultyUpstream}, and a proxy listening on {@code 127.0.0.1}, every port picked free.
 *
 * <pre>{@code
 * try (Pop3ProxyHarness h = Pop3ProxyHarness.builder().user("bob", "secret").start()) {
 *     h.deliver("bob", "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
 *     try (ScriptClient c = h.login("bob", "secret")) {
 *         c.send("STAT").expectStartsWith("+OK 1 ");
 *     }
 * }
 * }</pre>
 *
 * <p>The proxy's configuration starts as {@code ProxyConfig.builder(ServerSelector.fixed(upstream))}
 * with a {@link #DEFAULT_PROXY_TIMEOUT} timeout (shorter than the client's, so that a stalled
 * upstream shows up as a closed connection rather than a client timeout); the builder's
 * {@link Builder#config config} operators change it from there. Safe for use by several test
 * threads at once; {@link #reconfigure} and {@link #close} are not meant to race with clients.
 */
public final class Pop3ProxyHarness implements AutoCloseable {
    /** The proxy's timeout ({@code -t}) unless the configuration says otherwise. */
    public static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofSeconds(3);

    private final GreenMail greenMail;
    private final FaultyUpstream faultyUpstream;
    private final ServerTarget upstreamTarget;
    private final Duration clientTimeout;
    private final List<ScriptClient> clients = new ArrayList<>();
    private ProxyConfig config;
    private Pop3Proxy proxy;
    private ProxyServer server;

    private Pop3ProxyHarness(GreenMail greenMail, FaultyUpstream faultyUpstream, ServerTarget upstreamTarget,
                             Duration clientTimeout) {
        this.greenMail = greenMail;
        this.faultyUpstream = faultyUpstream;
        this.upstreamTarget = upstreamTarget;
        this.clientTimeout = clientTimeout;
    }

    /** Returns a builder for a harness with GreenMail upstream and no users. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns GreenMail, the upstream server, for direct inspection (received mail, users). */
    public GreenMail greenMail() {
        if (greenMail == null) {
            throw new IllegalStateException("this harness runs a FaultyUpstream, not GreenMail");
        }
        return greenMail;
    }

    /** Returns the misbehaving upstream server, when the harness was built with one. */
    public FaultyUpstream faultyUpstream() {
        if (faultyUpstream == null) {
            throw new IllegalStateException("this harness runs GreenMail, not a FaultyUpstream");
        }
        return faultyUpstream;
    }

    /** Returns the upstream POP3 server the proxy forwards to by default. */
    public ServerTarget upstreamTarget() {
        return upstreamTarget;
    }

    /** Returns the upstream POP3 port. */
    public int upstreamPort() {
        return upstreamTarget.port();
    }

    /** Returns GreenMail's SMTP port, for tests that deliver mail by SMTP. */
    public int smtpPort() {
        return greenMail().getSmtp().getPort();
    }

    /** Adds a GreenMail user whose e-mail address is the login itself. */
    public GreenMailUser addUser(String login, String password) {
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(password, "password");
        return greenMail().setUser(login, login, password);
    }

    /**
     * Puts a message, given as raw RFC 5322 bytes, into {@code login}'s GreenMail mailbox.
     * GreenMail keeps it as a parsed {@link MimeMessage}, so what it serves may differ from these
     * bytes in details; byte-exact tests serve their messages from a {@link FaultyUpstream}.
     */
    public void deliver(String login, byte[] rfc5322) {
        Objects.requireNonNull(rfc5322, "rfc5322");
        deliver(login, parse(rfc5322));
    }

    /** Puts {@code message} into {@code login}'s GreenMail mailbox. */
    public void deliver(String login, MimeMessage message) {
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(message, "message");
        GreenMailUser user = greenMail().getUserManager().getUser(login);
        if (user == null) {
            throw new IllegalArgumentException("no such user: " + login);
        }
        user.deliver(message);
    }

    /** Returns the running proxy. */
    public synchronized Pop3Proxy proxy() {
        return proxy;
    }

    /** Returns the running proxy's configuration. */
    public synchronized ProxyConfig config() {
        return config;
    }

    /** Returns the port the proxy listens on. */
    public synchronized int proxyPort() {
        return server.port();
    }

    /** Returns the address the proxy listens on. */
    public synchronized InetSocketAddress proxyAddress() {
        return server.localAddress();
    }

    /**
     * Replaces the running proxy with one whose configuration is the current one changed by
     * {@code change}; the new proxy listens on a new free port. Open sessions are cut.
     */
    public synchronized void reconfigure(UnaryOperator<ProxyConfig.Builder> change) {
        Objects.requireNonNull(change, "change");
        ProxyConfig next = change.apply(config.toBuilder()).build();
        closeServer();
        startProxy(next);
    }

    /** Returns a client connected to the proxy; the proxy's greeting is not read yet. */
    public ScriptClient client() {
        ScriptClient client = ScriptClient.connect(proxyAddress(), clientTimeout);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /**
     * Returns a client logged in through the proxy: the greeting, {@code USER} and {@code PASS}
     * have each been answered {@code +OK}.
     */
    public ScriptClient login(String login, String password) {
        ScriptClient client = client();
        client.expectStartsWith("+OK");
        client.send("USER " + login).expectStartsWith("+OK");
        client.send("PASS " + password).expectStartsWith("+OK");
        return client;
    }

    /** Closes the clients it handed out, the proxy and the upstream server. */
    @Override
    public void close() {
        synchronized (clients) {
            for (ScriptClient c : clients) {
                c.close();
            }
            clients.clear();
        }
        synchronized (this) {
            closeServer();
        }
        if (greenMail != null) {
            greenMail.stop();
        }
        if (faultyUpstream != null) {
            faultyUpstream.close();
        }
    }

    private void startProxy(ProxyConfig next) {
        Pop3Proxy p = Pop3Proxy.create(next);
        try {
            server = p.listen(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the proxy", e);
        }
        proxy = p;
        config = next;
    }

    private void closeServer() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // The listening socket is gone either way.
            }
            server = null;
        }
    }

    private static MimeMessage parse(byte[] rfc5322) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(rfc5322));
        } catch (MessagingException e) {
            throw new IllegalArgumentException("not an RFC 5322 message", e);
        }
    }

    /**
     * Builds and starts {@link Pop3ProxyHarness}es. Reusable: each {@link #start()} starts a new
     * harness from the settings made so far, which is how {@link Pop3ProxyExtension} gives every
     * test a fresh one.
     */
    public static final class Builder {
        private final Map<String, String> users = new LinkedHashMap<>();
        private final List<Map.Entry<String, byte[]>> messages = new ArrayList<>();
        private UnaryOperator<ProxyConfig.Builder> config = b -> b;
        private Optional<FaultyUpstream.Builder> faulty = Optional.empty();
        private Duration clientTimeout = ScriptClient.DEFAULT_TIMEOUT;

        private Builder() {}

        /** Adds a GreenMail user whose e-mail address is the login itself. */
        public Builder user(String login, String password) {
            users.put(Objects.requireNonNull(login, "login"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /** Delivers a message (raw RFC 5322 bytes) to {@code login}, a {@link #user}, at start. */
        public Builder message(String login, byte[] rfc5322) {
            Objects.requireNonNull(login, "login");
            messages.add(Map.entry(login, Objects.requireNonNull(rfc5322, "rfc5322").clone()));
            return this;
        }

        /** Delivers a message given as text (UTF-8) to {@code login} at start. */
        public Builder message(String login, String rfc5322) {
            return message(login, Objects.requireNonNull(rfc5322, "rfc5322").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Changes the proxy's configuration; the operator gets a builder already pointed at the
         * upstream server. Several calls apply in order.
         */
        public Builder config(UnaryOperator<ProxyConfig.Builder> change) {
            Objects.requireNonNull(change, "change");
            UnaryOperator<ProxyConfig.Builder> before = config;
            config = b -> change.apply(before.apply(b));
            return this;
        }

        /**
         * Puts the proxy in front of a {@link FaultyUpstream} started from {@code upstream}
         * instead of GreenMail; users and messages then belong on {@code upstream}.
         */
        public Builder faultyUpstream(FaultyUpstream.Builder upstream) {
            this.faulty = Optional.of(Objects.requireNonNull(upstream, "upstream"));
            return this;
        }

        /** Sets the timeout of the clients the harness hands out. */
        public Builder clientTimeout(Duration clientTimeout) {
            this.clientTimeout = Objects.requireNonNull(clientTimeout, "clientTimeout");
            return this;
        }

        /** Starts the upstream server and the proxy. */
        public Pop3ProxyHarness start() {
            if (faulty.isPresent() && (!users.isEmpty() || !messages.isEmpty())) {
                throw new IllegalStateException("users and messages go to the FaultyUpstream builder");
            }
            GreenMail greenMail = null;
            FaultyUpstream upstream = null;
            Pop3ProxyHarness harness = null;
            try {
                ServerTarget target;
                if (faulty.isPresent()) {
                    upstream = faulty.get().start();
                    target = upstream.target();
                } else {
                    greenMail = new GreenMail(new ServerSetup[] {
                        new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                        new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3),
                    });
                    greenMail.start();
                    target = ServerTarget.of("127.0.0.1", greenMail.getPop3().getPort());
                }
                harness = new Pop3ProxyHarness(greenMail, upstream, target, clientTimeout);
                for (Map.Entry<String, String> u : users.entrySet()) {
                    harness.addUser(u.getKey(), u.getValue());
                }
                for (Map.Entry<String, byte[]> m : messages) {
                    harness.deliver(m.getKey(), m.getValue());
                }
                ProxyConfig.Builder base = ProxyConfig.builder(ServerSelector.fixed(target))
                        .timeout(DEFAULT_PROXY_TIMEOUT);
                ProxyConfig proxyConfig = config.apply(base).build();
                synchronized (harness) {
                    harness.startProxy(proxyConfig);
                }
                return harness;
            } catch (RuntimeException | Error e) {
                if (harness != null) {
                    harness.close();
                } else {
                    if (greenMail != null) {
                        greenMail.stop();
                    }
                    if (upstream != null) {
                        upstream.close();
                    }
                }
                throw e;
            }
        }
    }
}
