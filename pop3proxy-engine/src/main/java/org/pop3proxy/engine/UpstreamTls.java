package org.pop3proxy.engine;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.pop3proxy.api.ServerTarget;

/**
 * How the proxy protects its connection to the POP3 server: not at all ({@link #NONE}, the
 * manual's behaviour), by {@code STLS} after the greeting (RFC 2595), or with TLS from the first
 * byte (RFC 8314, port 995). With TLS the server's certificate is checked against the chosen
 * {@link Trust} and its name against the host that was dialled (HTTPS rules, SNI sent), unless
 * trust is {@link Trust#insecure()}. There is never a plaintext fallback: when TLS cannot be
 * set up, the login fails and the password is not sent. Immutable and safe for concurrent use.
 */
public final class UpstreamTls {
    /** How TLS is started with the server. */
    public enum Mode {
        /** Plain TCP, as the manual has it. */
        NONE,
        /** {@code STLS} right after the server's greeting, before USER. */
        STLS,
        /** TLS from the first byte; the greeting arrives over TLS. */
        IMPLICIT;

        /** Parses {@code none}, {@code stls} or {@code implicit}, ignoring case. */
        public static Mode parse(String text) {
            Objects.requireNonNull(text, "text");
            switch (text.toLowerCase(Locale.ROOT)) {
                case "none":
                    return NONE;
                case "stls":
                    return STLS;
                case "implicit":
                    return IMPLICIT;
                default:
                    throw new IllegalArgumentException("upstream TLS mode must be none, stls or implicit: " + text);
            }
        }
    }

    /** Which server certificates are trusted. */
    public static final class Trust {
        private static final Trust SYSTEM = new Trust("the system trust store", null, false);
        private static final Trust INSECURE = new Trust("anything (insecure)", null, true);

        private final String description;
        private final TrustManager[] managers;
        private final boolean insecure;

        private Trust(String description, TrustManager[] managers, boolean insecure) {
            this.description = description;
            this.managers = managers;
            this.insecure = insecure;
        }

        /** Trusts what the JDK's default trust store trusts (normally the system's CAs). */
        public static Trust system() {
            return SYSTEM;
        }

        /**
         * Trusts only the CA certificates in the PEM {@code file} (a private CA, or a
         * self-signed server certificate); throws naming the file when it holds none.
         */
        public static Trust caFile(Path file) throws IOException {
            Objects.requireNonNull(file, "file");
            List<X509Certificate> cas = Pem.certificates(file);
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int n = 0;
                for (X509Certificate ca : cas) {
                    store.setCertificateEntry("ca" + n++, ca);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                return new Trust(file.toString(), tmf.getTrustManagers(), false);
            } catch (GeneralSecurityException | IOException e) {
                throw new IOException(file + ": cannot be used as trusted CAs: " + e.getMessage(), e);
            }
        }

        /**
         * Trusts any certificate for any name: encryption without authentication, open to a
         * man in the middle. Only for an explicit choice (the CLI's {@code --upstream-insecure}).
         */
        public static Trust insecure() {
            return INSECURE;
        }

        public boolean isInsecure() {
            return insecure;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** No TLS with the server. */
    public static final UpstreamTls NONE = new UpstreamTls(Mode.NONE, Trust.system(), null);

    private final Mode mode;
    private final Trust trust;
    private final SSLContext context;

    private UpstreamTls(Mode mode, Trust trust, SSLContext context) {
        this.mode = mode;
        this.trust = trust;
        this.context = context;
    }

    /** Returns the setting for {@code mode} trusting {@code trust}; {@link #NONE} for {@link Mode#NONE}. */
    public static UpstreamTls of(Mode mode, Trust trust) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(trust, "trust");
        if (mode == Mode.NONE) {
            return NONE;
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.insecure ? new TrustManager[] {new TrustAll()} : trust.managers, null);
            return new UpstreamTls(mode, trust, context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK: " + e.getMessage(), e);
        }
    }

    /** Returns STLS after the greeting, trusting {@code trust}. */
    public static UpstreamTls stls(Trust trust) {
        return of(Mode.STLS, trust);
    }

    /** Returns TLS from the first byte, trusting {@code trust}. */
    public static UpstreamTls implicit(Trust trust) {
        return of(Mode.IMPLICIT, trust);
    }

    public Mode mode() {
        return mode;
    }

    public Trust trust() {
        return trust;
    }

    /**
     * Returns the socket to speak POP3 on over the connected {@code tcp}: in implicit mode a TLS
     * socket whose handshake is complete (closing {@code tcp} when that fails), else {@code tcp}.
     * The caller keeps {@code tcp}, the only thing a deadline may close under TLS.
     */
    Socket start(Socket tcp, ServerTarget server) throws IOException {
        if (mode != Mode.IMPLICIT) {
            return tcp;
        }
        return handshake(tcp, server);
    }

    /**
     * Layers client-mode TLS over {@code socket} and completes the handshake, checking the
     * server's certificate and name; closes {@code socket} when that fails.
     */
    SSLSocket handshake(Socket socket, ServerTarget server) throws IOException {
        try {
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, server.host(), server.port(), true);
            SSLParameters params = tls.getSSLParameters();
            params.setProtocols(TlsProtocols.enabled(context));
            if (!trust.insecure) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpLiteral(server.host())) {
                try {
                    params.setServerNames(List.of(new SNIHostName(server.host())));
                } catch (IllegalArgumentException notAHostName) {
                    params.setServerNames(List.of());
                }
            }
            tls.setSSLParameters(params);
            tls.setSoTimeout(socket.getSoTimeout());
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    @Override
    public String toString() {
        return mode == Mode.NONE ? "none" : mode.name().toLowerCase(Locale.ROOT) + ", trusting " + trust;
    }

    /** Accepts every certificate; used only for {@link Trust#insecure()}. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
