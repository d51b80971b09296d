package org.pop3proxy.testkit;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
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
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.engine.ClientTls;
import org.pop3proxy.engine.ListenOptions;
import org.pop3proxy.engine.Pop3Proxy;
import org.pop3proxy.engine.ProxyConfig;
import org.pop3proxy.engine.ProxyServer;
import org.pop3proxy.engine.UpstreamTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>With TLS, one line more ({@link Builder#tls()}) puts TLS on both sides:
 *
 * <pre>{@code
 * try (Pop3ProxyHarness h = Pop3ProxyHarness.builder().tls().user("bob", "secret").start();
 *      ScriptClient c = h.client()) {
 *     c.expectStartsWith("+OK");
 *     c.stls();
 *     c.send("USER bob").expectStartsWith("+OK");
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

    private static final Logger LOG = LoggerFactory.getLogger(Pop3ProxyHarness.class);

    private final GreenMail greenMail;
    private final FaultyUpstream faultyUpstream;
    private final ServerTarget upstreamTarget;
    private final Duration clientTimeout;
    private final TestCertificate certificate;
    private final SSLContext clientContext;
    private final List<ScriptClient> clients = new ArrayList<>();
    private ProxyConfig config;
    private Pop3Proxy proxy;
    private ProxyServer server;
    private ProxyServer tlsServer;

    private Pop3ProxyHarness(GreenMail greenMail, FaultyUpstream faultyUpstream, ServerTarget upstreamTarget,
                             Duration clientTimeout, TestCertificate certificate) {
        this.greenMail = greenMail;
        this.faultyUpstream = faultyUpstream;
        this.upstreamTarget = upstreamTarget;
        this.clientTimeout = clientTimeout;
        this.certificate = certificate;
        this.clientContext = certificate == null ? null : certificate.clientContext();
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

    /** Returns whether the harness was built with {@link Builder#tls()}. */
    public boolean isTls() {
        return certificate != null;
    }

    /**
     * Returns the port of the proxy's implicit-TLS (POP3S) listener, which runs beside the
     * plaintext/STLS one whenever the proxy has a certificate.
     */
    public synchronized int proxyTlsPort() {
        return proxyTlsAddress().getPort();
    }

    /** Returns the address of the proxy's implicit-TLS (POP3S) listener. */
    public synchronized InetSocketAddress proxyTlsAddress() {
        if (tlsServer == null) {
            throw new IllegalStateException("the proxy has no certificate, so no POP3S listener; build with tls()");
        }
        return tlsServer.localAddress();
    }

    /**
     * Returns the PEM file of the certificate the proxy presents to clients (the harness's own,
     * self-signed, for {@code 127.0.0.1}, {@code ::1} and {@code localhost}): what a client has to
     * trust, for instance {@code curl --cacert} or {@code mail.pop3.ssl.trust}-style settings.
     */
    public Path certificateFile() {
        return tlsCertificate().certificateFile();
    }

    /** Returns a TLS context for clients that trusts the harness's certificate and nothing else. */
    public SSLContext sslContext() {
        tlsCertificate();
        return clientContext;
    }

    /**
     * Returns a socket factory that trusts the harness's certificate and nothing else, for
     * clients that take one (Jakarta Mail's {@code mail.pop3.ssl.socketFactory} and
     * {@code mail.pop3s.ssl.socketFactory}).
     */
    public SSLSocketFactory sslSocketFactory() {
        return sslContext().getSocketFactory();
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

    /**
     * Returns a client connected to the proxy; the proxy's greeting is not read yet. With
     * {@link Builder#tls()}, {@link ScriptClient#stls()} on it trusts the harness's certificate.
     */
    public ScriptClient client() {
        return track(certificate == null
                ? ScriptClient.connect(proxyAddress(), clientTimeout)
                : ScriptClient.connect(proxyAddress(), clientTimeout, sslSocketFactory()));
    }

    /**
     * Returns a client connected to the proxy's implicit-TLS (POP3S) listener, the TLS handshake
     * done and the certificate checked; the greeting is not read yet.
     */
    public ScriptClient tlsClient() {
        return track(ScriptClient.connectTls(proxyTlsAddress(), clientTimeout, sslSocketFactory()));
    }

    private ScriptClient track(ScriptClient client) {
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

    private TestCertificate tlsCertificate() {
        if (certificate == null) {
            throw new IllegalStateException("this harness runs without TLS; build it with tls()");
        }
        return certificate;
    }

    private void startProxy(ProxyConfig next) {
        Pop3Proxy p = Pop3Proxy.create(next);
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        try {
            server = p.listen(any);
            if (next.clientTls().isPresent()) {
                tlsServer = p.listen(any, ListenOptions.PLAIN.withImplicitTls(true));
            }
        } catch (IOException e) {
            closeServer();
            throw new UncheckedIOException("cannot start the proxy", e);
        }
        proxy = p;
        config = next;
    }

    private void closeServer() {
        server = closeQuietly(server);
        tlsServer = closeQuietly(tlsServer);
    }

    private static ProxyServer closeQuietly(ProxyServer listener) {
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException ignored) {
                // The listening socket is gone either way.
            }
        }
        return null;
    }

    /**
     * Returns how the proxy should trust GreenMail's POP3S certificate. GreenMail loads one key
     * store per JVM, on its first TLS server; normally that is the harness's own (see
     * {@link Builder#tls()}) and verification stays fully on. When another key store won that race
     * (set by {@code greenmail.tls.keystore.file}, or a GreenMail with TLS started in this JVM
     * before the first TLS harness), its certificate is trusted if it names {@code 127.0.0.1};
     * GreenMail's built-in certificate names no host at all, so then, and only then, the check is
     * switched off ({@link UpstreamTls.Trust#insecure()}) and a warning logged.
     */
    private static UpstreamTls.Trust greenMailTrust(TestCertificate ours) {
        Optional<X509Certificate> theirs = greenMailCertificate();
        if (theirs.isPresent() && theirs.get().equals(ours.certificate())) {
            return caFile(ours.certificateFile());
        }
        if (theirs.isPresent() && TestCertificate.namesLoopback(theirs.get())) {
            return caFile(TestCertificate.writePem(theirs.get()));
        }
        LOG.warn("GreenMail serves a TLS certificate neither made by the testkit nor naming 127.0.0.1 ({}); the"
                        + " proxy will not verify it. Start a TLS harness before any other GreenMail with TLS in this"
                        + " JVM, and leave {} unset, to keep verification on.",
                theirs.map(c -> c.getSubjectX500Principal().toString()).orElse("none found"),
                TestCertificate.GREENMAIL_KEYSTORE_FILE);
        return UpstreamTls.Trust.insecure();
    }

    /** Returns the certificate of GreenMail's TLS key store (one per JVM), if it has one. */
    private static Optional<X509Certificate> greenMailCertificate() {
        KeyStore store = ((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore();
        try {
            for (String alias : Collections.list(store.aliases())) {
                Certificate c = store.isKeyEntry(alias) ? store.getCertificate(alias) : null;
                if (c instanceof X509Certificate) {
                    return Optional.of((X509Certificate) c);
                }
            }
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private static UpstreamTls.Trust caFile(Path pem) {
        try {
            return UpstreamTls.Trust.caFile(pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MimeMessage parse(byte[] rfc5322) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(rfc5322));
        } catch (MessagingException e) {
            throw new IllegalArgumentException("not an RFC 5322 message", e);
        }
    }

    private static ClientTls proxyIdentity(TestCertificate certificate) {
        try {
            return ClientTls.fromPem(certificate.certificateFile(), certificate.keyFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the testkit's certificate", e);
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
        private boolean tls;

        private Builder() {}

        /**
         * Puts TLS on both sides of the proxy, with a certificate the testkit makes itself (EC,
         * self-signed, for {@code 127.0.0.1}, {@code ::1} and {@code localhost}; one per JVM):
         * <ul>
         * <li>GreenMail serves POP3S (TLS from the first byte) instead of POP3, with that
         *     certificate, and the proxy connects to it with
         *     {@code UpstreamTls.implicit(Trust.caFile(certificate))}, checking certificate and name
         *     (but see below for the one case where it cannot);</li>
         * <li>the proxy presents the same certificate to clients ({@code ClientTls}): its listener
         *     offers {@code STLS} (and {@code CAPA}), and a second listener speaks implicit TLS
         *     ({@link Pop3ProxyHarness#proxyTlsPort()}).</li>
         * </ul>
         * Clients trust it through {@link Pop3ProxyHarness#certificateFile()},
         * {@link Pop3ProxyHarness#sslContext()} or {@link Pop3ProxyHarness#sslSocketFactory()};
         * {@link ScriptClient#stls()} on the harness's clients and
         * {@link Pop3ProxyHarness#tlsClient()} already do. {@link #config} operators see these
         * settings and may change them (for instance {@code b -> b.tlsRequired(true)}). With a
         * {@link #faultyUpstream}, which speaks plain POP3 only, only the client side gets TLS.
         *
         * <p>GreenMail reads its TLS key store once per JVM: this sets the system properties
         * {@code greenmail.tls.keystore.file} and {@code greenmail.tls.keystore.password} to the
         * testkit's key store unless {@code greenmail.tls.keystore.file} is set already. If
         * GreenMail still ends up with another certificate (that property was set, or a GreenMail
         * with TLS started in this JVM before the first TLS harness), the proxy trusts that
         * certificate when it names {@code 127.0.0.1}; GreenMail's built-in one names no host at
         * all, so then, and only then, the proxy does not verify the upstream
         * ({@code Trust.insecure()}) and a warning is logged;
         * {@code config().upstreamTls().trust().isInsecure()} tells a test which case it is in.
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

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
            TestCertificate certificate = tls ? TestCertificate.shared() : null;
            try {
                ServerTarget target;
                UpstreamTls upstreamTls = UpstreamTls.NONE;
                if (faulty.isPresent()) {
                    upstream = faulty.get().start();
                    target = upstream.target();
                } else {
                    greenMail = new GreenMail(new ServerSetup[] {
                        new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                        new ServerSetup(0, "127.0.0.1", tls ? ServerSetup.PROTOCOL_POP3S : ServerSetup.PROTOCOL_POP3),
                    });
                    greenMail.start();
                    if (tls) {
                        target = ServerTarget.of("127.0.0.1", greenMail.getPop3s().getPort());
                        upstreamTls = UpstreamTls.implicit(greenMailTrust(certificate));
                    } else {
                        target = ServerTarget.of("127.0.0.1", greenMail.getPop3().getPort());
                    }
                }
                harness = new Pop3ProxyHarness(greenMail, upstream, target, clientTimeout, certificate);
                for (Map.Entry<String, String> u : users.entrySet()) {
                    harness.addUser(u.getKey(), u.getValue());
                }
                for (Map.Entry<String, byte[]> m : messages) {
                    harness.deliver(m.getKey(), m.getValue());
                }
                ProxyConfig.Builder base = ProxyConfig.builder(ServerSelector.fixed(target))
                        .timeout(DEFAULT_PROXY_TIMEOUT)
                        .upstreamTls(upstreamTls);
                if (tls) {
                    base.clientTls(proxyIdentity(certificate));
                }
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
