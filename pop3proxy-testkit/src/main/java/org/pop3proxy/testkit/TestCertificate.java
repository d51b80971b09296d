package org.pop3proxy.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The testkit's TLS identity: a self-signed EC P-256 certificate for {@code 127.0.0.1},
 * {@code ::1} and {@code localhost}, made in memory with Bouncy Castle (no keytool, no OpenSSL)
 * and written as PEM files and a PKCS#12 key store in a temporary directory. One per JVM, since
 * GreenMail reads its TLS key store once per JVM too.
 */
final class TestCertificate {
    /** GreenMail's system properties for its TLS key store (see its DummySSLServerSocketFactory). */
    static final String GREENMAIL_KEYSTORE_FILE = "greenmail.tls.keystore.file";
    static final String GREENMAIL_KEYSTORE_PASSWORD = "greenmail.tls.keystore.password";
    static final String GREENMAIL_KEY_PASSWORD = "greenmail.tls.key.password";

    private static final String SUBJECT = "pop3proxy testkit";
    private static final Object LOCK = new Object();
    private static TestCertificate shared;

    private final X509Certificate certificate;
    private final Path certificateFile;
    private final Path keyFile;
    private final Path keyStoreFile;
    private final char[] keyStorePassword;

    private TestCertificate(X509Certificate certificate, Path certificateFile, Path keyFile, Path keyStoreFile,
                            char[] keyStorePassword) {
        this.certificate = certificate;
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.keyStoreFile = keyStoreFile;
        this.keyStorePassword = keyStorePassword;
    }

    /**
     * Returns the JVM's test certificate, making it on first use; then, unless the GreenMail key
     * store properties are set already, points GreenMail at it.
     */
    static TestCertificate shared() {
        synchronized (LOCK) {
            if (shared == null) {
                shared = create();
                if (System.getProperty(GREENMAIL_KEYSTORE_FILE) == null) {
                    System.setProperty(GREENMAIL_KEYSTORE_PASSWORD, new String(shared.keyStorePassword));
                    System.setProperty(GREENMAIL_KEYSTORE_FILE, shared.keyStoreFile.toString());
                }
            }
            return shared;
        }
    }

    X509Certificate certificate() {
        return certificate;
    }

    Path certificateFile() {
        return certificateFile;
    }

    Path keyFile() {
        return keyFile;
    }

    /** Returns a TLS client context that trusts this certificate and nothing else. */
    SSLContext clientContext() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("pop3proxy-testkit", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    /** Returns whether {@code certificate} names the IP address {@code 127.0.0.1}. */
    static boolean namesLoopback(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            for (List<?> name : names) {
                if (Integer.valueOf(7).equals(name.get(0)) && "127.0.0.1".equals(name.get(1))) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Writes {@code certificate} as a PEM file in a new temporary directory and returns its path. */
    static Path writePem(X509Certificate certificate) {
        try {
            Path dir = temporaryDirectory();
            Path file = dir.resolve("upstream-cert.pem");
            Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
            file.toFile().deleteOnExit();
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode a certificate: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a certificate file", e);
        }
    }

    private static TestCertificate create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X509Certificate certificate = selfSigned(keys);

            Path dir = temporaryDirectory();
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            Path store = dir.resolve("keystore.p12");
            Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            char[] password = new BigInteger(80, new SecureRandom()).toString(36).toCharArray();
            String keyPassword = System.getProperty(GREENMAIL_KEY_PASSWORD);
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("pop3proxy-testkit", keys.getPrivate(),
                    keyPassword != null ? keyPassword.toCharArray() : password, new Certificate[] {certificate});
            try (OutputStream out = Files.newOutputStream(store)) {
                keyStore.store(out, password);
            }
            for (Path p : List.of(cert, key, store)) {
                p.toFile().deleteOnExit();
            }
            return new TestCertificate(certificate, cert, key, store, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test certificate", e);
        }
    }

    private static Path temporaryDirectory() throws IOException {
        Path dir = Files.createTempDirectory("pop3proxy-testkit-tls-");
        dir.toFile().deleteOnExit();
        return dir;
    }

    /** Builds and signs an X.509 v3 certificate for {@code keys}, issued by itself. */
    private static X509Certificate selfSigned(KeyPair keys) throws GeneralSecurityException {
        try {
            X500Name name = new X500Name("CN=" + SUBJECT);
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(63, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minusDays(1).toInstant()), Date.from(now.plusYears(2).toInstant()),
                    name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ids.createAuthorityKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.iPAddress, "::1")}))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            certificate.verify(keys.getPublic());
            return certificate;
        } catch (OperatorCreationException | CertIOException e) {
            throw new GeneralSecurityException("cannot make the test certificate", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
