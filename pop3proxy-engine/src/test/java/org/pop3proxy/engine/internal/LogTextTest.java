package org.pop3proxy.engine.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Each variant of the one text-safety helper. */
class LogTextTest {
    private static final String HOSTILE = "a\r\nFAKE LOG LINE\u001b[2J${jndi:ldap://x/a}%n\\\u00e9\tb";

    @Test
    void escapeWritesEverythingALogBackendCouldActOnAsHex() {
        assertEquals("a\\x0d\\x0aFAKE LOG LINE\\x1b[2J\\x24\\x7bjndi:ldap://x/a\\x7d\\x25n\\x5c\\xe9\\x09b",
                LogText.escape(HOSTILE));
        String capped = LogText.escape("x".repeat(500));
        assertEquals("x".repeat(LogText.MAX) + "...", capped);
    }

    @Test
    void printableDropsWhatIsNotPrintableAsciiAndFitsAnErrLine() {
        assertEquals("aFAKE LOG LINE[2J${jndi:ldap://x/a}%n\\b", LogText.printable(HOSTILE));
        String line = "-ERR " + LogText.printable("y".repeat(1000)) + "\r\n";
        assertEquals(512, line.length());
    }

    @Test
    void headerTextKeepsOneHeaderLineWithTabsAsSpaces() {
        assertEquals("aFAKE LOG LINE[2J${jndi:ldap://x/a}%n\\ b", LogText.headerText(HOSTILE));
        assertEquals(" folded", LogText.headerText("\tfolded\t \r"));
        assertEquals("z".repeat(LogText.MAX_HEADER) + " [...]", LogText.headerText("z".repeat(300)));
    }

    @Test
    void wordCannotSplitOrEndARecordLine() {
        String w = LogText.word(HOSTILE);
        assertEquals("a??FAKE?LOG?LINE?[2J${jndi:ldap://x/a}%n\\??b", w);
        assertFalse(w.contains(" ") || w.contains("\n"), w);
    }
}
