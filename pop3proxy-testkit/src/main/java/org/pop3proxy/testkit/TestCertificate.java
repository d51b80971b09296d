package org.pop3proxy.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The testkit's TLS identity: a self-signed EC P-256 certificate for {@code 127.0.0.1},
 * {@code ::1} and {@code localhost}, made in memory with the JDK alone (no keytool, no OpenSSL)
 * and written as PEM files and a PKCS#12 key store in a temporary directory. One per JVM, since
 * GreenMail reads its TLS key store once per JVM too.
 */
final class TestCertificate {
    /** GreenMail's system properties for its TLS key store (see its DummySSLServerSocketFactory). */
    static final String GREENMAIL_KEYSTORE_FILE = "greenmail.tls.keystore.file";
    static final String GREENMAIL_KEYSTORE_PASSWORD = "greenmail.tls.keystore.password";
    static final String GREENMAIL_KEY_PASSWORD = "greenmail.tls.key.password";

    private static final String SUBJECT = "pop3proxy testkit";
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
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
        byte[] algorithm = sequence(oid(ECDSA_WITH_SHA256));
        byte[] name = sequence(set(sequence(oid("2.5.4.3"), tlv(0x0c, SUBJECT.getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        DateTimeFormatter utcTime = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
        byte[] validity = sequence(
                tlv(0x17, now.minusDays(1).format(utcTime).getBytes(StandardCharsets.US_ASCII)),
                tlv(0x17, now.plusYears(2).format(utcTime).getBytes(StandardCharsets.US_ASCII)));
        byte[] publicKeyInfo = keys.getPublic().getEncoded();
        byte[] keyId = MessageDigest.getInstance("SHA-1").digest(publicKeyInfo);
        byte[] altNames = sequence(
                tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)),
                tlv(0x87, address("127.0.0.1")),
                tlv(0x87, address("::1")));
        byte[] extensions = sequence(
                extension("2.5.29.19", true, sequence(tlv(0x01, new byte[] {(byte) 0xff}))),
                // digitalSignature (bit 0) and keyCertSign (bit 5); the last two bits unused.
                extension("2.5.29.15", true, tlv(0x03, new byte[] {2, (byte) 0x84})),
                extension("2.5.29.14", false, tlv(0x04, keyId)),
                extension("2.5.29.35", false, sequence(tlv(0x80, keyId))),
                extension("2.5.29.17", false, altNames));
        byte[] tbs = sequence(
                tlv(0xa0, integer(BigInteger.valueOf(2))),
                integer(new BigInteger(63, new SecureRandom()).add(BigInteger.ONE)),
                algorithm,
                name,
                validity,
                name,
                publicKeyInfo,
                tlv(0xa3, extensions));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] der = sequence(tbs, algorithm, bitString(signature));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        certificate.verify(keys.getPublic());
        return certificate;
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (IOException e) {
            throw new IllegalStateException("not an IP literal: " + literal, e);
        }
    }

    private static byte[] extension(String id, boolean critical, byte[] value) {
        return critical
                ? sequence(oid(id), tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value))
                : sequence(oid(id), tlv(0x04, value));
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, parts);
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, parts);
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] bitString(byte[] bytes) {
        byte[] content = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, content, 1, bytes.length);
        return tlv(0x03, content);
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = 1;
            while ((arc >>> (7 * groups)) != 0) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                int seven = (int) ((arc >>> (7 * g)) & 0x7f);
                out.write(g > 0 ? seven | 0x80 : seven);
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    /** Encodes one DER element: tag, definite length, then the parts one after another. */
    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
