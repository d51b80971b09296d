package org.pop3proxy.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pop3proxy.api.ServerSelector;
import org.pop3proxy.api.ServerTarget;
import org.pop3proxy.api.VirusScanner;
import org.pop3proxy.engine.defaults.ClamdExtension;
import org.pop3proxy.engine.defaults.ClamdFake;
import org.pop3proxy.engine.defaults.ClamdScanner;
import org.pop3proxy.engine.defaults.ClamdTestMessages;

/** RETR and TOP through the proxy with scanning on: GreenMail upstream, real clamd or a fake. */
class ScanningProxyTest {
    @RegisterExtension
    static final ClamdExtension CLAMD = new ClamdExtension();

    @TempDir
    Path spool;

    private GreenMail greenMail;
    private ProxyServer proxy;

    @BeforeEach
    void startMail() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        GreenMailUser bob = greenMail.setUser("bob@example.org", "bob", "secret");
        deliver(bob, ClamdTestMessages.small());
        deliver(bob, ClamdTestMessages.eicarAttachment());
        deliver(bob, ClamdTestMessages.eicarInline());
        deliver(bob, ("Subject: dots\r\n\r\n.leading\r\n..two\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void deliver(GreenMailUser user, byte[] message) throws Exception {
        user.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message)));
    }

    private void startProxy(VirusScanner scanner) throws Exception {
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(
                        ServerTarget.of("127.0.0.1", greenMail.getPop3().getPort())))
                .virusScanner(scanner)
                .spoolDirectory(spool)
                .build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        greenMail.stop();
    }

    private Pop3Client login(int port) throws Exception {
        Pop3Client c = new Pop3Client(port);
        c.readLine();
        c.send("USER bob").expectStartsWith("+OK");
        c.send("PASS secret").expectStartsWith("+OK");
        return c;
    }

    /** Returns what the server itself answers to {@code command}: status line, body. */
    private byte[] direct(String command) throws Exception {
        try (Pop3Client c = login(greenMail.getPop3().getPort())) {
            c.send(command).expectStartsWith("+OK");
            return c.readBody();
        }
    }

    private void assertSpoolEmpty() throws Exception {
        try (Stream<Path> files = Files.list(spool)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void deliversCleanMessagesByteForByteWithTheScannedHeaderFirst() throws Exception {
        ClamdScanner scanner = CLAMD.scanner().build();
        startProxy(scanner);
        for (String command : new String[] {"RETR 1", "RETR 4", "TOP 1 0"}) {
            byte[] expected = direct(command);
            try (Pop3Client c = login(proxy.port())) {
                c.send(command).expectStartsWith("+OK");
                String header = c.readLine();
                assertTrue(header.startsWith("X-Proxy-Scanned: pop3proxy; ClamAV "), header);
                assertArrayEquals(expected, c.readBody(), command);
                c.send("QUIT").expectStartsWith("+OK");
            }
        }
        assertSpoolEmpty();
    }

    @Test
    void replacesInfectedMessagesForRetrAndTop() throws Exception {
        startProxy(CLAMD.scanner().build());
        for (String command : new String[] {"RETR 2", "RETR 3", "TOP 3 5"}) {
            try (Pop3Client c = login(proxy.port())) {
                c.send(command).expectStartsWith("+OK");
                String notice = new String(c.readBody(), StandardCharsets.US_ASCII);
                assertTrue(notice.contains("\r\nSubject: [virus removed] Eicar-Test-Signature"), notice);
                assertTrue(!notice.contains(ClamdTestMessages.eicar()), notice);
                c.send("QUIT").expectStartsWith("+OK");
            }
        }
        assertEquals(4, greenMail.getReceivedMessages().length);
        assertSpoolEmpty();
    }

    @Test
    void refusesAndClosesWhenClamdAnswersGarbage() throws Exception {
        try (ClamdFake fake = ClamdFake.start(ClamdFake.Fault.GARBAGE)) {
            startProxy(fake.scanner().build());
            try (Pop3Client c = login(proxy.port())) {
                c.send("RETR 1").expect(org.pop3proxy.engine.Session.SCAN_FAILED);
                c.expectClosed();
            }
        }
        try (Pop3Client c = login(greenMail.getPop3().getPort())) {
            c.send("STAT").expectStartsWith("+OK 4 ");
        }
        assertSpoolEmpty();
    }

    @Test
    void refusesTheClientBeforeTheGreetingWhenClamdIsDown() throws Exception {
        startProxy(ClamdScanner.builder().tcp("127.0.0.1", ClamdFake.refusingPort()).build());
        try (Pop3Client c = new Pop3Client(proxy.port())) {
            c.expectClosed();
        }
    }

    @Test
    void refusesAMessageAboveTheScanLimit() throws Exception {
        ProxyConfig config = ProxyConfig.builder(ServerSelector.fixed(
                        ServerTarget.of("127.0.0.1", greenMail.getPop3().getPort())))
                .virusScanner(CLAMD.scanner().build())
                .spoolDirectory(spool)
                .maxScanSize(50)
                .build();
        proxy = Pop3Proxy.create(config).listen(new InetSocketAddress("127.0.0.1", 0));
        try (Pop3Client c = login(proxy.port())) {
            c.send("RETR 1").expect(org.pop3proxy.engine.Session.SCAN_FAILED);
            c.expectClosed();
        }
        assertSpoolEmpty();
    }
}
