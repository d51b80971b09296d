package org.pop3proxy.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed test certificates made by openssl once per test JVM: {@code localhost} (names
 * localhost and 127.0.0.1) and {@code other} (names only other.example), each with a PKCS#8 key.
 */
final class TestCerts {
    private static TestCerts instance;

    final Path dir;
    final Path cert;
    final Path key;
    final Path otherCert;
    final Path otherKey;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.cert = dir.resolve("cert.pem");
        this.key = dir.resolve("key.pem");
        this.otherCert = dir.resolve("other-cert.pem");
        this.otherKey = dir.resolve("other-key.pem");
    }

    static synchronized TestCerts get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("pop3proxy-certs");
                dir.toFile().deleteOnExit();
                TestCerts certs = new TestCerts(dir);
                make(dir, certs.cert, certs.key, "localhost", "DNS:localhost,IP:127.0.0.1");
                make(dir, certs.otherCert, certs.otherKey, "other.example", "DNS:other.example");
                instance = certs;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    private static void make(Path dir, Path cert, Path key, String cn, String san) throws IOException {
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + san);
    }

    /** Runs openssl with {@code args}; fails with its output when it fails. */
    static String openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return output;
    }

    /** Returns a client context trusting only the certificate in {@code pem}. */
    static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (X509Certificate c : Pem.certificates(pem)) {
            store.setCertificateEntry("c" + n++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    ClientTls clientTls() throws IOException {
        return ClientTls.fromPem(cert, key);
    }
}
