package org.pop3proxy.engine;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class CommandParserTest {
    private static Command valid(String line) {
        return assertInstanceOf(CommandParser.Valid.class, CommandParser.parse(line)).command();
    }

    @ParameterizedTest
    @ValueSource(strings = {"STAT", "stat", "LIST", "LIST 1", "UIDL", "UIDL 7", "RETR 1", "DELE 12",
        "TOP 1 0", "TOP 3 10", "LAST", "NOOP", "RSET", "QUIT", "USER bob", "PASS x", "retr 01"})
    void acceptsWellFormedCommands(String line) {
        valid(line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"STAT 1", "RETR", "RETR 0", "RETR -1", "RETR +1", "RETR x", "RETR 1 2",
        "DELE", "DELE 0", "LIST 0", "LIST 1 2", "UIDL a", "TOP 1", "TOP 0 1", "TOP 1 -1", "TOP 1 2 3",
        "LAST 1", "NOOP x", "RSET 1", "QUIT now", "USER", "PASS", "RETR 1234567890", "RETR 0x1"})
    void refusesBadArguments(String line) {
        assertInstanceOf(CommandParser.BadArguments.class, CommandParser.parse(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CAPA", "APOP bob 1234", "AUTH PLAIN", "STLS", "XTND", "", " STAT", "RETRX 1",
        "ST", "UIDLX"})
    void refusesUnknownCommands(String line) {
        assertInstanceOf(CommandParser.Unknown.class, CommandParser.parse(line));
    }

    @Test
    void canonicalFormGoesUpstream() {
        assertEquals("RETR 1", valid("retr   1 ").wire());
        assertEquals("TOP 2 0", valid("Top 2  0").wire());
        assertEquals("LIST", valid("list").wire());
    }

    @Test
    void passwordIsTheRestOfTheLineAndIsMasked() {
        Command pass = valid("PASS  two words ");
        assertEquals(List.of(" two words "), pass.arguments());
        assertEquals("PASS ****", pass.masked());
    }

    @Test
    void multiLineAnswersAreKnown() {
        assertEquals(true, Verb.LIST.multiLine(valid("LIST")));
        assertEquals(false, Verb.LIST.multiLine(valid("LIST 1")));
        assertEquals(true, Verb.UIDL.multiLine(valid("UIDL")));
        assertEquals(true, Verb.TOP.multiLine(valid("TOP 1 0")));
        assertEquals(false, Verb.STAT.multiLine(valid("STAT")));
    }

    @Test
    void unknownKeywordIsBoundedForTheLog() {
        CommandParser.Unknown u = assertInstanceOf(CommandParser.Unknown.class,
                CommandParser.parse("X".repeat(100) + " secret"));
        assertEquals(19, u.keyword().length());
    }
}
