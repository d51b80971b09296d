package org.pop3proxy.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each variant of the one text-safety helper, and that its copy in the defaults package is the same. */
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

    /**
     * The defaults package cannot reach this package-private class, and the rules are no API,
     * so it holds a copy; this fails as soon as the two differ in more than their package line.
     */
    @Test
    void theDefaultsCopyIsTheSameClass() throws IOException {
        Path main = Path.of("src/main/java/org/pop3proxy/engine");
        String engine = Files.readString(main.resolve("LogText.java"));
        String defaults = Files.readString(main.resolve("defaults/LogText.java"));
        assertTrue(engine.startsWith("package org.pop3proxy.engine;\n"));
        assertTrue(defaults.startsWith("package org.pop3proxy.engine.defaults;\n"));
        assertEquals(engine.substring(engine.indexOf('\n')), defaults.substring(defaults.indexOf('\n')),
                "org.pop3proxy.engine.LogText and org.pop3proxy.engine.defaults.LogText differ; change both alike");
    }
}
