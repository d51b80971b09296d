package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The faulty upstream and the script client against each other, without a proxy. */
class FaultyUpstreamTest {
    private static final String FIRST = "From: a@example.org\r\nSubject: one\r\n\r\nline 1\r\n.dotted\r\n..two dots\r\nline 4\r\n";
    private static final String SECOND = "Subject: two\r\n\r\nbody\r\n";

    private static FaultyUpstream.Builder mailbox() {
        return FaultyUpstream.builder().user("bob", "secret pass").message(FIRST).message(SECOND);
    }

    private static ScriptClient login(FaultyUpstream upstream) {
        ScriptClient c = ScriptClient.connect(upstream.port());
        c.expect("+OK FaultyUpstream ready");
        c.send("USER bob").expect("+OK send PASS");
        c.send("PASS secret pass").expect("+OK maildrop locked and ready");
        return c;
    }

    @Test
    void servesTheMailboxCorrectly() {
        try (FaultyUpstream upstream = mailbox().start(); ScriptClient c = login(upstream)) {
            int total = FIRST.length() + SECOND.length();
            c.send("STAT").expect("+OK 2 " + total);
            c.send("LIST").expect("+OK");
            assertEquals("1 " + FIRST.length() + "\r\n2 " + SECOND.length() + "\r\n",
                    new String(c.readMultiline(), StandardCharsets.US_ASCII));
            c.send("LIST 2").expect("+OK 2 " + SECOND.length());
            c.send("UIDL 1").expect("+OK 1 uid-1");
            c.send("RETR 1").expect("+OK " + FIRST.length() + " octets");
            byte[] body = c.readMultiline();
            assertEquals("From: a@example.org\r\nSubject: one\r\n\r\nline 1\r\n..dotted\r\n...two dots\r\nline 4\r\n",
                    new String(body, StandardCharsets.US_ASCII));
            assertArrayEquals(FIRST.getBytes(StandardCharsets.US_ASCII), Pop3Bytes.dotUnstuff(body));
            c.send("LAST").expect("+OK 1");
            c.send("TOP 1 2").expect("+OK");
            assertEquals("From: a@example.org\r\nSubject: one\r\n\r\nline 1\r\n..dotted\r\n",
                    new String(c.readMultiline(), StandardCharsets.US_ASCII));
            c.send("TOP 2 0").expect("+OK");
            assertEquals("Subject: two\r\n\r\n", new String(c.readMultiline(), StandardCharsets.US_ASCII));
            c.send("DELE 1").expect("+OK message 1 deleted");
            c.send("RETR 1").expect("-ERR no such message");
            c.send("STAT").expect("+OK 1 " + SECOND.length());
            c.send("RSET").expect("+OK");
            c.send("STAT").expect("+OK 2 " + total);
            c.send("NOOP").expect("+OK");
            c.send("CAPA").expect("-ERR unknown command");
            c.send("QUIT").expect("+OK bye");
            c.expectClosed();
        }
    }

    @Test
    void refusesWrongPasswordsAndCommandsBeforeLogin() {
        try (FaultyUpstream upstream = mailbox().start(); ScriptClient c = ScriptClient.connect(upstream.port())) {
            c.expect("+OK FaultyUpstream ready");
            c.send("STAT").expect("-ERR not logged in");
            c.send("USER bob").expect("+OK send PASS");
            c.send("PASS wrong").expect("-ERR invalid login");
            c.send("QUIT").expect("+OK bye");
            c.expectClosed();
        }
    }

    @Test
    void commitsDeletionsOnlyAtQuit() throws InterruptedException {
        try (FaultyUpstream upstream = mailbox().start()) {
            try (ScriptClient c = login(upstream)) {
                c.send("DELE 1").expect("+OK message 1 deleted");
            }
            assertTrue(upstream.awaitClosedConnections(1, Duration.ofSeconds(5)));
            assertEquals(2, upstream.messageCount());
            assertFalse(upstream.verbs().contains("QUIT"));
            try (ScriptClient c = login(upstream)) {
                c.send("DELE 1").expect("+OK message 1 deleted");
                c.send("QUIT").expect("+OK bye");
                c.expectClosed();
            }
            assertTrue(upstream.awaitClosedConnections(2, Duration.ofSeconds(5)));
            assertEquals(1, upstream.messageCount());
            assertEquals(2, upstream.connections());
            assertEquals(List.of("USER", "PASS", "DELE", "USER", "PASS", "DELE", "QUIT"), upstream.verbs());
            assertEquals("PASS secret pass", upstream.commands().get(1));
        }
    }

    @Test
    void badGreetingAndCloseAfterGreeting() {
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.BAD_GREETING).start();
             ScriptClient c = ScriptClient.connect(upstream.port())) {
            c.expect("* OK IMAP4rev1 ready");
        }
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.CLOSE_AFTER_GREETING).start();
             ScriptClient c = ScriptClient.connect(upstream.port())) {
            c.expect("+OK FaultyUpstream ready");
            c.expectClosed();
        }
    }

    @Test
    void faultsActAtTheirPoint() {
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.GARBAGE_REPLY, "noop").start();
             ScriptClient c = login(upstream)) {
            c.send("STAT").expectStartsWith("+OK 2 ");
            c.send("NOOP").expect("?? garbage from a confused server");
        }
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.REJECT_LOGIN).start();
             ScriptClient c = ScriptClient.connect(upstream.port())) {
            c.expect("+OK FaultyUpstream ready");
            c.send("USER bob").expect("+OK send PASS");
            c.send("PASS secret pass").expect("-ERR [IN-USE] mailbox locked by another session");
        }
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.DROP, "PASS").start();
             ScriptClient c = ScriptClient.connect(upstream.port())) {
            c.expect("+OK FaultyUpstream ready");
            c.send("USER bob").expect("+OK send PASS");
            c.send("PASS secret pass").expectClosed();
        }
        try (FaultyUpstream upstream = mailbox().overlongLength(5000).fault(FaultyUpstream.Fault.OVERLONG_STATUS_LINE).start();
             ScriptClient c = login(upstream)) {
            String line = c.send("STAT").readLine();
            assertEquals(5004, line.length());
            assertTrue(line.startsWith("+OK xxx"));
        }
    }

    @Test
    void closeMidBodySendsPartOfTheBodyOnly() {
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.CLOSE_MID_BODY).start();
             ScriptClient c = login(upstream)) {
            c.send("RETR 1").expect("+OK " + FIRST.length() + " octets");
            byte[] rest = c.readToEnd();
            String stuffed = new String(Pop3Bytes.dotStuff(FIRST.getBytes(StandardCharsets.US_ASCII)),
                    StandardCharsets.US_ASCII);
            assertEquals(stuffed.substring(0, stuffed.length() / 2), new String(rest, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void stallAnswersNothingAndTheClientTimesOut() throws InterruptedException {
        try (FaultyUpstream upstream = mailbox().fault(FaultyUpstream.Fault.STALL, FaultyUpstream.GREETING).start()) {
            try (ScriptClient c = ScriptClient.connect(upstream.address(), Duration.ofMillis(300))) {
                AssertionFailedError e = assertThrows(AssertionFailedError.class, c::readLine);
                assertTrue(e.getMessage().startsWith("no data within 300 ms"), e.getMessage());
                c.send("QUIT");
            }
            assertTrue(upstream.awaitClosedConnections(1, Duration.ofSeconds(5)));
            assertEquals(List.of("QUIT"), upstream.commands());
        }
    }

    @Test
    void faultCanChangeWhileRunning() {
        try (FaultyUpstream upstream = mailbox().start()) {
            try (ScriptClient c = ScriptClient.connect(upstream.port())) {
                c.expect("+OK FaultyUpstream ready");
            }
            upstream.fault(FaultyUpstream.Fault.BAD_GREETING);
            try (ScriptClient c = ScriptClient.connect(upstream.port())) {
                c.expect("* OK IMAP4rev1 ready");
            }
        }
    }

    @Test
    void scriptClientReportsMismatchesWithTheTranscript() {
        try (FaultyUpstream upstream = mailbox().start(); ScriptClient c = ScriptClient.connect(upstream.port())) {
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> c.expect("+OK something else"));
            assertEquals("+OK something else", e.getExpected().getValue());
            assertEquals("+OK FaultyUpstream ready", e.getActual().getValue());
            assertTrue(e.getMessage().contains("S: +OK FaultyUpstream ready"), e.getMessage());
            c.send("PASS hidden");
            AssertionFailedError e2 = assertThrows(AssertionFailedError.class, () -> c.expectStartsWith("+OK"));
            assertTrue(e2.getMessage().contains("C: PASS ****"), e2.getMessage());
            assertFalse(e2.getMessage().contains("hidden"), e2.getMessage());
        }
    }
}
