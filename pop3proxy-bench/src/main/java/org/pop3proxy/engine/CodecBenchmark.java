package org.pop3proxy.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Times the client side of the codec: {@link ClientLineReader} splitting a stream of typical
 * command lines, with and without {@link CommandParser} on each line. Scores are per line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(2)
public class CodecBenchmark {
    static final int LINES = 1000;
    private static final String[] SAMPLE = {
        "USER someone@example.org", "PASS s3cret:with:colons", "STAT", "LIST", "UIDL 17", "RETR 17",
        "TOP 4 10", "DELE 17", "NOOP", "RSET", "QUIT",
    };

    private byte[] input;

    @Setup
    public void setUp() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < LINES; i++) {
            b.append(SAMPLE[i % SAMPLE.length]).append("\r\n");
        }
        input = b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads {@value #LINES} lines; the score is per line. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public int readLines() throws IOException {
        ClientLineReader reader = new ClientLineReader(new ByteArrayInputStream(input));
        int n = 0;
        while (reader.read().kind() == ClientLine.Kind.LINE) {
            n++;
        }
        return n;
    }

    /** Reads and parses {@value #LINES} lines; the score is per line. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public int readAndParseLines() throws IOException {
        ClientLineReader reader = new ClientLineReader(new ByteArrayInputStream(input));
        int valid = 0;
        for (ClientLine line; (line = reader.read()).kind() == ClientLine.Kind.LINE; ) {
            if (CommandParser.parse(line.text()) instanceof CommandParser.Valid) {
                valid++;
            }
        }
        return valid;
    }
}
