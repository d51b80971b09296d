package org.pop3proxy.engine;

import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/** The TLS versions the proxy speaks on either side: 1.3 and 1.2, nothing older. */
final class TlsProtocols {
    private static final List<String> WANTED = List.of("TLSv1.3", "TLSv1.2");

    private TlsProtocols() {}

    /** Returns the wanted versions {@code context} supports, newest first. */
    static String[] enabled(SSLContext context) {
        List<String> supported = List.of(context.getSupportedSSLParameters().getProtocols());
        List<String> enabled = new ArrayList<>();
        for (String p : WANTED) {
            if (supported.contains(p)) {
                enabled.add(p);
            }
        }
        if (enabled.isEmpty()) {
            throw new IllegalStateException("the JDK supports neither TLSv1.3 nor TLSv1.2");
        }
        return enabled.toArray(new String[0]);
    }
}
