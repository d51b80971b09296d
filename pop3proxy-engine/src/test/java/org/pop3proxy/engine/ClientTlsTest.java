package org.pop3proxy.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading, checking and reloading the proxy's certificate; each error names the file. */
class ClientTlsTest {
    private final TestCerts certs = TestCerts.get();

    @TempDir
    Path tmp;

    @Test
    void missingFileIsNamed() {
        Path missing = tmp.resolve("nope.pem");
        IOException e = assertThrows(IOException.class, () -> ClientTls.fromPem(missing, certs.key));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aKeyFileWithoutAKeyIsRefused() {
        IOException e = assertThrows(IOException.class, () -> ClientTls.fromPem(certs.cert, certs.cert));
        assertTrue(e.getMessage().startsWith(certs.cert + ": no -----BEGIN PRIVATE KEY-----"), e.getMessage());
    }

    @Test
    void aCertificateFileWithoutACertificateIsRefused() {
        IOException e = assertThrows(IOException.class, () -> ClientTls.fromPem(certs.key, certs.key));
        assertTrue(e.getMessage().startsWith(certs.key + ": no -----BEGIN CERTIFICATE-----"), e.getMessage());
    }

    @Test
    void anOldStyleRsaKeyGetsTheConversionCommand() throws Exception {
        Path rsa = tmp.resolve("rsa.pem");
        TestCerts.openssl(tmp, "pkey", "-in", certs.key.toString(), "-traditional", "-out", rsa.toString());
        assertTrue(Files.readString(rsa).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        IOException e = assertThrows(IOException.class, () -> ClientTls.fromPem(certs.cert, rsa));
        assertTrue(e.getMessage().contains("RSA PRIVATE KEY") && e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"),
                e.getMessage());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        IOException e = assertThrows(IOException.class, () -> ClientTls.fromPem(certs.cert, certs.otherKey));
        assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
    }

    @Test
    void garbageBase64IsRefused() throws Exception {
        Path bad = tmp.resolve("bad.pem");
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        IOException e = assertThrows(IOException.class, () -> ClientTls.fromPem(bad, certs.key));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
    }

    @Test
    void reloadSwapsTheCertificateForNewHandshakesAndKeepsItOnError() throws Exception {
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Files.copy(certs.cert, cert);
        Files.copy(certs.key, key);
        ClientTls tls = ClientTls.fromPem(cert, key);
        assertEquals("CN=localhost", servedSubject(tls));

        Files.copy(certs.otherCert, cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certs.otherKey, key, StandardCopyOption.REPLACE_EXISTING);
        tls.reload();
        assertEquals("CN=other.example", servedSubject(tls));

        Files.writeString(key, "not a key");
        assertThrows(IOException.class, tls::reload);
        assertEquals("CN=other.example", servedSubject(tls));
    }

    /** Returns the subject of the certificate {@code tls} presents in a handshake. */
    private static String servedSubject(ClientTls tls) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
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
        }}, null);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout(5000);
                    SSLSocket t = tls.serverSocket(s);
                    t.startHandshake();
                    t.getOutputStream().write('x');
                    t.getOutputStream().flush();
                    t.close();
                } catch (IOException ignored) {
                    // The client side asserts.
                }
            });
            String subject;
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                plain.setSoTimeout(5000);
                SSLSocket c = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
                c.startHandshake();
                assertTrue(c.getSession().getProtocol().equals("TLSv1.3") || c.getSession().getProtocol().equals("TLSv1.2"));
                assertEquals('x', c.getInputStream().read());
                subject = ((X509Certificate) c.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            }
            server.get(5, TimeUnit.SECONDS);
            return subject;
        }
    }
}
