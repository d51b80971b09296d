/**
 * Test support for pop3proxy and for gateways that embed it: a GreenMail-backed harness, a
 * JUnit 5 extension, a script-style POP3 client and a misbehaving upstream server.
 */
@SuppressWarnings("requires-transitive-automatic") // GreenMail has no module name of its own yet.
module org.pop3proxy.testkit {
    requires transitive org.pop3proxy.engine;
    requires transitive greenmail;
    requires transitive jakarta.mail;
    requires transitive org.junit.jupiter.api;
    requires transitive org.opentest4j;
    requires org.slf4j;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;

    exports org.pop3proxy.testkit;
}
