package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keeps the copy-paste examples in docs/TESTKIT.md identical to the tests that compile and run them. */
class DocsInSyncTest {
    @ParameterizedTest
    @ValueSource(strings = {"MailThroughProxyTest.java", "TlsMailThroughProxyTest.java"})
    void documentedExampleIsTheCompiledOne(String file) throws IOException {
        String start = "<!-- example: " + file + " -->\n```java\n";
        Path doc = Path.of("..", "docs", "TESTKIT.md");
        Path source = Path.of("src", "test", "java", "org", "pop3proxy", "testkit", "example", file);
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int at = text.indexOf(start);
        assertTrue(at >= 0, "docs/TESTKIT.md lacks the marked example " + file);
        int end = text.indexOf("```\n", at + start.length());
        assertEquals(Files.readString(source, StandardCharsets.UTF_8), text.substring(at + start.length(), end));
    }
}
