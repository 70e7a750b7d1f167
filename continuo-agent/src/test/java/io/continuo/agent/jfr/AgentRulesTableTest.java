package io.continuo.agent.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.PprofEncoder;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's copies of continuo-formats' rules (it cannot depend on formats) against the shared cases in
 * {@code testdata/agent-rules.tsv}, which continuo-formats' own test reads too: a rule changed on one side only
 * fails one of the two suites.
 */
class AgentRulesTableTest {
    record Row(String kind, String input, String expected) {}

    static List<Row> rows() throws IOException {
        Path table = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && table == null; p = p.getParent()) {
            Path candidate = p.resolve("testdata").resolve("agent-rules.tsv");
            if (Files.isRegularFile(candidate)) table = candidate;
        }
        if (table == null) throw new IllegalStateException("testdata/agent-rules.tsv not found above " + Path.of("").toAbsolutePath());
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(table)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 3) throw new IllegalStateException("agent-rules.tsv: not 3 tab-separated columns: " + line);
            out.add(new Row(f[0], f[1], f[2]));
        }
        return out;
    }

    @Test
    void classNames() throws IOException {
        int n = 0;
        for (Row r : rows()) {
            if (!r.kind().equals("class")) continue;
            assertThat(ClassNames.readable(r.input())).as(r.input()).isEqualTo(r.expected());
            n++;
        }
        assertThat(n).isPositive();
    }

    @Test
    void frameNames() throws IOException {
        int n = 0;
        for (Row r : rows()) {
            if (!r.kind().equals("frame")) continue;
            String[] cm = r.input().split("\\|", -1);
            assertThat(StackResolver.functionName(cm[0], cm[1])).as(r.input()).isEqualTo(r.expected());
            n++;
        }
        assertThat(n).isPositive();
    }

    @Test
    void lockParks() throws IOException {
        int n = 0;
        for (Row r : rows()) {
            if (!r.kind().equals("park")) continue;
            String blocker = r.input().equals("-") ? null : r.input();
            assertThat(ParkBlockers.isLock(blocker) ? "lock" : "wait").as(r.input()).isEqualTo(r.expected());
            n++;
        }
        assertThat(n).isPositive();
    }

    /** Every field number the encoder names is in the table with the same number. */
    @Test
    void pprofFieldNumbers() throws Exception {
        Map<String, Integer> table = new HashMap<>();
        for (Row r : rows()) {
            if (r.kind().equals("pprof")) table.put(r.input(), Integer.parseInt(r.expected()));
        }
        int n = 0;
        for (Field f : PprofEncoder.class.getDeclaredFields()) {
            if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers()) || !f.getName().matches("[A-Z_]+")) continue;
            f.setAccessible(true);
            assertThat(table).as("testdata/agent-rules.tsv has a pprof row for %s", f.getName()).containsKey(f.getName());
            assertThat(f.getInt(null)).as(f.getName()).isEqualTo(table.get(f.getName()));
            n++;
        }
        assertThat(n).isEqualTo(table.size());
    }
}
