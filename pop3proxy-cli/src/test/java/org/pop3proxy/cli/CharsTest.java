package org.pop3proxy.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CharsTest {
    @Test
    void digitsAreOneToMaxAsciiDigits() {
        assertTrue(Chars.digits("0", 1));
        assertTrue(Chars.digits("123456789", 9));
        assertFalse(Chars.digits("1234567890", 9));
        assertFalse(Chars.digits("", 9));
        assertFalse(Chars.digits("12a", 9));
        assertFalse(Chars.digits("-1", 9));
        assertFalse(Chars.digits("１２", 9), "fullwidth digits are not ASCII digits");
    }

    @Test
    void aDottedQuadIsFourGroupsOfOneToThreeDigits() {
        assertTrue(Chars.dottedQuad("127.0.0.1"));
        assertTrue(Chars.dottedQuad("999.999.999.999"), "the range is checked by the caller");
        assertFalse(Chars.dottedQuad("1.2.3"));
        assertFalse(Chars.dottedQuad("1.2.3.4."));
        assertFalse(Chars.dottedQuad("1.2.3.4.5"));
        assertFalse(Chars.dottedQuad("1..2.3"));
        assertFalse(Chars.dottedQuad("1234.1.1.1"));
        assertFalse(Chars.dottedQuad(".1.2.3"));
        assertFalse(Chars.dottedQuad("a.b.c.d"));
    }

    @Test
    void wordsHostsAndIpv6Texts() {
        assertTrue(Chars.word(""));
        assertTrue(Chars.word("POP3_x9"));
        assertFalse(Chars.word("POP3-"));
        assertFalse(Chars.word("é"));
        assertTrue(Chars.hostText("mail.example.org"));
        assertFalse(Chars.hostText("a b"));
        assertFalse(Chars.hostText("user@host"));
        assertFalse(Chars.hostText("a/b"));
        assertFalse(Chars.hostText("[::1]"));
        assertFalse(Chars.hostText("host\u007f"));
        assertTrue(Chars.ipv6Text("fe80::1:AbCd"));
        assertTrue(Chars.ipv6Text("::ffff:1.2.3.4"));
        assertFalse(Chars.ipv6Text("fe80::1%eth0"));
        assertFalse(Chars.ipv6Text("g::1"));
    }
}
