package io.continuo.formats.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.formats.TestData;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules continuo-agent copies from this module (class names, frame names, lock parks, pprof field numbers),
 * checked here against the shared cases in {@code testdata/agent-rules.tsv}; the agent's test reads the same table.
 */
class AgentRulesTableTest {
    record Row(String kind, String input, String expected) {}

    static List<Row> rows() throws IOException {
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.path("agent-rules.tsv"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 3) {
                throw new IllegalStateException("agent-rules.tsv: not 3 tab-separated columns: " + line);
            }
            out.add(new Row(f[0], f[1], f[2]));
        }
        return out;
    }

    @Test
    void classNames() throws IOException {
        for (Row r : rows()) {
            if (r.kind().equals("class")) {
                assertThat(JfrReader.javaName(r.input())).as(r.input()).isEqualTo(r.expected());
            }
        }
    }

    @Test
    void frameNames() throws IOException {
        for (Row r : rows()) {
            if (r.kind().equals("frame")) {
                String[] cm = r.input().split("\\|", -1);
                assertThat(JfrReader.functionName(cm[0], cm[1])).as(r.input()).isEqualTo(r.expected());
            }
        }
    }

    @Test
    void lockParks() throws IOException {
        for (Row r : rows()) {
            if (r.kind().equals("park")) {
                String blocker = r.input().equals("-") ? null : r.input();
                assertThat(ParkBlockers.isLock(blocker) ? "lock" : "wait").as(r.input()).isEqualTo(r.expected());
            }
        }
    }

    @Test
    void pprofFieldNumbers() throws Exception {
        Class<?> fields = Class.forName("io.continuo.formats.pprof.PprofFields");
        int n = 0;
        for (Row r : rows()) {
            if (r.kind().equals("pprof")) {
                Field f = fields.getDeclaredField(r.input());
                f.setAccessible(true);
                assertThat(f.getInt(null)).as(r.input()).isEqualTo(Integer.parseInt(r.expected()));
                n++;
            }
        }
        assertThat(n).isPositive();
    }
}
