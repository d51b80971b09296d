package org.pop3proxy.bench;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Properties;

/**
 * Runs GreenMail's POP3 server in its own JVM on 127.0.0.1, a free port, with users
 * {@code u0..u<n-1>} (password {@code pw}, one small message each) and user {@code big} holding
 * one large message. Prints {@code PORT <n>}; stops when standard input closes.
 * Arguments: {@code <users> <big message MB>}.
 */
public final class GreenMailMain {
    private GreenMailMain() {}

    public static void main(String[] args) throws Exception {
        int users = Integer.parseInt(args[0]);
        int bigMb = Integer.parseInt(args[1]);
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3));
        greenMail.start();
        Session mail = Session.getInstance(new Properties());
        for (int i = 0; i < users; i++) {
            GreenMailUser u = greenMail.setUser("u" + i + "@example.org", "u" + i, "pw");
            u.deliver(new MimeMessage(mail, new ByteArrayInputStream(Messages.small(i))));
        }
        GreenMailUser big = greenMail.setUser("big@example.org", "big", "pw");
        big.deliver(new MimeMessage(mail, new ByteArrayInputStream(
                Messages.message("big", bigMb * 1024 * 1024))));
        System.out.println("PORT " + greenMail.getPop3().getPort());
        System.out.flush();
        waitForEof();
        greenMail.stop();
        System.exit(0);
    }

    static void waitForEof() throws IOException {
        while (System.in.read() >= 0) {
            // Anything on stdin is ignored; its end means stop.
        }
    }
}
