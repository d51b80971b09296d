package org.pop3proxy.engine;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class StatusLineTest {
    private static StatusLine parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return StatusLine.parse(b, b.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+OK\r\n", "+OK 2 320\r\n", "+ok fine\r\n", "-ERR\r\n", "-ERR [IN-USE] busy\r\n",
        "-err no\n", "+OK tab\there\r\n"})
    void acceptsPositiveAndNegativeReplies(String line) {
        assertNotNull(parse(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"OK\r\n", "+OKAY\r\n", "-ERROR\r\n", "* OK\r\n", "\r\n", "+OK a\rb\r\n",
        "+OK a\0b\r\n", "+ OK\r\n"})
    void refusesAnythingElse(String line) {
        assertNull(parse(line));
    }
}
