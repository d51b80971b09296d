package org.pop3proxy.engine;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own TLS identity towards clients (STLS and implicit TLS): a PEM certificate chain
 * and its unencrypted PKCS#8 PEM key, read and checked when created so that a bad file stops
 * the start, not the first client. TLS 1.3 and 1.2 only, with the JDK's default cipher suites.
 * Safe for concurrent use; {@link #reload()} swaps the identity for new handshakes atomically.
 */
public final class ClientTls {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class);

    private final Path certificateFile;
    private final Path keyFile;
    private final AtomicReference<SSLContext> context = new AtomicReference<>();

    private ClientTls(Path certificateFile, Path keyFile) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
    }

    /**
     * Reads {@code certificateChain} (the server certificate first, then intermediates) and
     * {@code privateKey}; throws an {@link IOException} naming the file and the fault when a file
     * is missing or unreadable, holds no certificate or key, holds an encrypted or non-PKCS#8 key,
     * or when the key does not belong to the certificate.
     */
    public static ClientTls fromPem(Path certificateChain, Path privateKey) throws IOException {
        ClientTls tls = new ClientTls(Objects.requireNonNull(certificateChain, "certificateChain"),
                Objects.requireNonNull(privateKey, "privateKey"));
        tls.context.set(tls.load());
        return tls;
    }

    /**
     * Reads both files again and, if they are good, uses them for every later handshake
     * (sessions already in TLS keep theirs). On an error the old identity stays in use and the
     * error is thrown. Meant for SIGHUP after a certificate renewal.
     */
    public void reload() throws IOException {
        context.set(load());
        LOG.info("TLS certificate reloaded from {}", certificateFile);
    }

    public Path certificateFile() {
        return certificateFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Layers a server-mode TLS socket over {@code socket}; closing it closes {@code socket}. */
    SSLSocket serverSocket(Socket socket) throws IOException {
        SSLContext ctx = context.get();
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
        tls.setUseClientMode(false);
        SSLParameters params = tls.getSSLParameters();
        params.setProtocols(TlsProtocols.enabled(ctx));
        params.setNeedClientAuth(false);
        tls.setSSLParameters(params);
        tls.setSoTimeout(socket.getSoTimeout());
        return tls;
    }

    private SSLContext load() throws IOException {
        List<X509Certificate> chain = Pem.certificates(certificateFile);
        X509Certificate leaf = chain.get(0);
        PublicKey publicKey = leaf.getPublicKey();
        PrivateKey key = Pem.privateKey(keyFile, publicKey.getAlgorithm());
        if (!matches(key, publicKey)) {
            throw new IOException(keyFile + ": the private key does not belong to the certificate in "
                    + certificateFile + " (" + leaf.getSubjectX500Principal() + ")");
        }
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            LOG.warn("{}: the certificate is not valid now ({}); clients will refuse it", certificateFile,
                    e.getMessage());
        }
        try {
            char[] none = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("proxy", key, none, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException(certificateFile + ", " + keyFile + ": cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /** Returns whether {@code key} signs what {@code publicKey} verifies. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) throws IOException {
        String algorithm;
        switch (publicKey.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                algorithm = publicKey.getAlgorithm();
                break;
            default:
                return true;
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot check the key against the certificate: " + e.getMessage(), e);
        }
    }
}
