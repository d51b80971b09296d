package org.pop3proxy.testkit;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pop3proxy.engine.ProxyConfig;

/**
 * Gives every test a fresh {@link Pop3ProxyHarness}: started before each test, closed after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * final Pop3ProxyExtension pop3 = new Pop3ProxyExtension()
 *         .withUser("bob", "secret")
 *         .withConfig(b -> b.maxUnknownCommands(2));
 *
 * @Test
 * void stat() {
 *     try (ScriptClient c = pop3.login("bob", "secret")) {
 *         c.send("STAT").expect("+OK 0 0");
 *     }
 * }
 * }</pre>
 *
 * <p>{@code new Pop3ProxyExtension().withTls()} gives every test GreenMail with POP3S and a proxy
 * with TLS on both sides (see {@link Pop3ProxyHarness.Builder#tls()}).
 *
 * <p>Configure it before the first test runs; the {@code with} methods are not for use inside
 * tests. One extension instance serves one test at a time.
 */
public final class Pop3ProxyExtension implements BeforeEachCallback, AfterEachCallback {
    private final Pop3ProxyHarness.Builder setup;
    private volatile Pop3ProxyHarness harness;

    /** Creates an extension with GreenMail upstream and no users. */
    public Pop3ProxyExtension() {
        this(Pop3ProxyHarness.builder());
    }

    /** Creates an extension whose harnesses are started from {@code setup}. */
    public Pop3ProxyExtension(Pop3ProxyHarness.Builder setup) {
        this.setup = Objects.requireNonNull(setup, "setup");
    }

    /** Adds a GreenMail user to every test's harness. */
    public Pop3ProxyExtension withUser(String login, String password) {
        setup.user(login, password);
        return this;
    }

    /** Delivers a message (text, UTF-8) to {@code login} before every test. */
    public Pop3ProxyExtension withMessage(String login, String rfc5322) {
        setup.message(login, rfc5322);
        return this;
    }

    /** Changes the proxy's configuration, as {@link Pop3ProxyHarness.Builder#config} does. */
    public Pop3ProxyExtension withConfig(UnaryOperator<ProxyConfig.Builder> change) {
        setup.config(change);
        return this;
    }

    /** Puts the proxy in front of a {@link FaultyUpstream} instead of GreenMail. */
    public Pop3ProxyExtension withFaultyUpstream(FaultyUpstream.Builder upstream) {
        setup.faultyUpstream(upstream);
        return this;
    }

    /**
     * Puts TLS on both sides: GreenMail with POP3S upstream, a proxy offering STLS and a POP3S
     * listener, as {@link Pop3ProxyHarness.Builder#tls()} does.
     */
    public Pop3ProxyExtension withTls() {
        setup.tls();
        return this;
    }

    /** Sets the timeout of the clients the harness hands out. */
    public Pop3ProxyExtension withClientTimeout(Duration timeout) {
        setup.clientTimeout(timeout);
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        harness = setup.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Pop3ProxyHarness h = harness;
        harness = null;
        if (h != null) {
            h.close();
        }
    }

    /** Returns the current test's harness. */
    public Pop3ProxyHarness harness() {
        Pop3ProxyHarness h = harness;
        if (h == null) {
            throw new IllegalStateException("no harness outside a test");
        }
        return h;
    }

    /** Returns a client connected to the proxy, greeting not yet read. */
    public ScriptClient client() {
        return harness().client();
    }

    /** Returns a client connected to the proxy's POP3S listener, TLS up, greeting not yet read. */
    public ScriptClient tlsClient() {
        return harness().tlsClient();
    }

    /** Returns a client logged in through the proxy. */
    public ScriptClient login(String login, String password) {
        return harness().login(login, password);
    }

    /** Puts a message (raw RFC 5322 bytes) into {@code login}'s GreenMail mailbox. */
    public void deliver(String login, byte[] rfc5322) {
        harness().deliver(login, rfc5322);
    }

    /** Returns the current test's GreenMail. */
    public GreenMail greenMail() {
        return harness().greenMail();
    }

    /** Returns the current test's misbehaving upstream. */
    public FaultyUpstream faultyUpstream() {
        return harness().faultyUpstream();
    }

    /** Returns the port the proxy listens on. */
    public int proxyPort() {
        return harness().proxyPort();
    }

    /** Returns the port of the proxy's implicit-TLS (POP3S) listener. */
    public int proxyTlsPort() {
        return harness().proxyTlsPort();
    }

    /** Returns a socket factory that trusts the certificate of the current test's proxy. */
    public SSLSocketFactory sslSocketFactory() {
        return harness().sslSocketFactory();
    }
}
