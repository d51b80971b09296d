package org.pop3proxy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the copy-paste example in docs/TESTKIT.md identical to the test that compiles and runs it. */
class DocsInSyncTest {
    private static final String START = "<!-- example: MailThroughProxyTest.java -->\n```java\n";

    @Test
    void documentedExampleIsTheCompiledOne() throws IOException {
        Path doc = Path.of("..", "docs", "TESTKIT.md");
        Path source = Path.of("src", "test", "java", "org", "pop3proxy", "testkit", "example",
                "MailThroughProxyTest.java");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        assertTrue(start >= 0, "docs/TESTKIT.md lacks the marked example");
        int end = text.indexOf("```\n", start + START.length());
        assertEquals(Files.readString(source, StandardCharsets.UTF_8), text.substring(start + START.length(), end));
    }
}
