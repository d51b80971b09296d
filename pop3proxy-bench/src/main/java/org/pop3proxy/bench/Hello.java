package org.pop3proxy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The inetd baseline: an empty JVM that writes a greeting to standard output and exits. */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) throws IOException {
        System.out.write("+OK hello\r\n".getBytes(StandardCharsets.US_ASCII));
        System.out.flush();
    }
}
