package org.pop3proxy.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** A real POP3 server for the tests: GreenMail on a free port with one user and one message. */
final class Upstream implements AutoCloseable {
    static final String USER = "bob";
    static final String PASSWORD = "pw-Never-Logged-7";
    /** A message with the bytes that relays get wrong: dot lines, a lone dot, 8-bit text, blanks. */
    static final String MESSAGE = "Subject: hello through the proxy\r\nFrom: ann@example.org\r\n"
            + "To: bob@example.org\r\n\r\nfirst line\r\n.starts with a dot\r\n..two dots\r\n"
            + "trailing blanks   \r\n.\r\nlast line\r\n";

    private final GreenMail greenMail;
    private final byte[] retrBody;

    Upstream() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        greenMail.setUser("bob@example.org", USER, PASSWORD).deliver(new MimeMessage(
                Session.getInstance(new Properties()),
                new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.ISO_8859_1))));
        try (Pop3Script direct = new Pop3Script(port())) {
            direct.expectStartsWith("+OK");
            direct.send("USER " + USER).expectStartsWith("+OK");
            direct.send("PASS " + PASSWORD).expectStartsWith("+OK");
            direct.send("RETR 1").expectStartsWith("+OK");
            retrBody = direct.readBody();
            direct.send("QUIT").expectStartsWith("+OK");
        }
    }

    int port() {
        return greenMail.getPop3().getPort();
    }

    String server() {
        return "127.0.0.1:" + port();
    }

    /** Returns RETR 1's body exactly as the server sends it, dot-stuffed, with the final dot line. */
    byte[] retrBody() {
        return retrBody.clone();
    }

    /** Returns the message as a client stores it: the body without dot-stuffing and final dot line. */
    byte[] message() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] lines = new String(retrBody, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        for (int i = 0; i < lines.length - 2; i++) {
            String line = lines[i].startsWith(".") ? lines[i].substring(1) : lines[i];
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    /** Returns how many messages are still in the mailbox (a DELE without QUIT leaves them). */
    int messages() {
        return greenMail.getReceivedMessages().length;
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
