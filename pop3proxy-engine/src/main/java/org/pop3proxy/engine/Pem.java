package org.pop3proxy.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads PEM files: certificate chains and unencrypted PKCS#8 private keys. Every failure is an
 * {@link IOException} whose message names the file and says what is wrong with it.
 */
final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";

    private Pem() {}

    /** One {@code -----BEGIN type-----} block, decoded. */
    record Block(String type, byte[] der) {
    }

    /** Returns every certificate in {@code file}, in file order; at least one. */
    static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IOException("X.509 not available: " + e.getMessage(), e);
        }
        for (Block block : blocks(file)) {
            if (!block.type().equals("CERTIFICATE")) {
                continue;
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(new java.io.ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new IOException(file + ": certificate " + (certs.size() + 1) + " is not valid X.509: "
                        + e.getMessage(), e);
            }
        }
        if (certs.isEmpty()) {
            throw new IOException(file + ": no -----BEGIN CERTIFICATE----- block found (a PEM certificate is needed)");
        }
        return certs;
    }

    /** Returns the single unencrypted PKCS#8 key in {@code file}, for a {@code algorithm} key. */
    static PrivateKey privateKey(Path file, String algorithm) throws IOException {
        List<Block> keys = new ArrayList<>();
        for (Block block : blocks(file)) {
            switch (block.type()) {
                case "PRIVATE KEY":
                    keys.add(block);
                    break;
                case "ENCRYPTED PRIVATE KEY":
                    throw new IOException(file + ": the private key is encrypted; the proxy needs it unencrypted"
                            + " (openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem)");
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                case "DSA PRIVATE KEY":
                    throw new IOException(file + ": the key is in the old " + block.type()
                            + " format; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in "
                            + file + " -out key.pem");
                default:
                    break;
            }
        }
        if (keys.size() != 1) {
            throw new IOException(file + (keys.isEmpty()
                    ? ": no -----BEGIN PRIVATE KEY----- block found (a PKCS#8 PEM key is needed)"
                    : ": more than one private key"));
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0).der()));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a valid " + algorithm
                    + " PKCS#8 private key (does it belong to the certificate?): " + e.getMessage(), e);
        }
    }

    /** Returns the PEM blocks of {@code file}; text outside blocks is ignored. */
    static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Block> blocks = new ArrayList<>();
        int at = 0;
        while (true) {
            int begin = text.indexOf(BEGIN, at);
            if (begin < 0) {
                return blocks;
            }
            int typeEnd = text.indexOf("-----", begin + BEGIN.length());
            if (typeEnd < 0) {
                throw new IOException(file + ": broken PEM header at offset " + begin);
            }
            String type = text.substring(begin + BEGIN.length(), typeEnd);
            String endLine = END + type + "-----";
            int end = text.indexOf(endLine, typeEnd);
            if (end < 0) {
                throw new IOException(file + ": no " + endLine + " after offset " + begin);
            }
            String body = text.substring(typeEnd + 5, end);
            try {
                blocks.add(new Block(type, Base64.getMimeDecoder().decode(body)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": the " + type + " block is not valid base64", e);
            }
            at = end + endLine.length();
        }
    }
}
