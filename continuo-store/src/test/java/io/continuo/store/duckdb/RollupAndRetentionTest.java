package io.continuo.store.duckdb;

import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import io.continuo.store.SeriesFilter;
import io.continuo.store.TimeSeries;
import io.continuo.store.WriteBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.continuo.store.duckdb.DuckDbProfileStoreTest.HOUR;
import static io.continuo.store.duckdb.DuckDbProfileStoreTest.T0;
import static io.continuo.store.duckdb.DuckDbProfileStoreTest.app;
import static io.continuo.store.duckdb.DuckDbProfileStoreTest.fixed;
import static io.continuo.store.TestProfiles.batch;
import static io.continuo.store.TestProfiles.collapsed;
import static org.assertj.core.api.Assertions.assertThat;

class RollupAndRetentionTest {
    static final long DAY = 24 * HOUR;

    @TempDir
    Path dir;
    DuckDbProfileStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    void open(long nowMillis) {
        store = DuckDbProfileStore.open(DuckDbConfig.builder(dir).memoryLimitBytes(256L << 20).threads(1)
                .defaultRetention(Duration.ofDays(60))
                .clock(fixed(nowMillis)).maintenanceInterval(Duration.ofHours(1)).build());
    }

    static WriteBatch randomBatch(Random rnd, long ts, Labels labels) {
        String[] names = {"main", "http", "parse", "json", "db", "query", "gc", "lock", "io", "hash"};
        List<String> lines = new ArrayList<>();
        int n = 3 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            int depth = 1 + rnd.nextInt(5);
            StringBuilder sb = new StringBuilder("main");
            for (int d = 0; d < depth; d++) {
                sb.append(';').append(names[rnd.nextInt(names.length)]);
            }
            lines.add(sb.append(' ').append(1 + rnd.nextInt(100)).toString());
        }
        return batch("default", ts, labels, lines.toArray(String[]::new));
    }

    static ProfileQuery q(long from, long until) {
        return new ProfileQuery("default", "cpu", Selector.ALL, from, until);
    }

    @Test
    void rollupsGiveTheSameAnswersAsRawRows() {
        open(T0 + 40 * HOUR);
        Random rnd = new Random(42);
        // 30 hours, an upload every 5 minutes plus odd offsets, two instances.
        for (long t = T0 + 7_000; t < T0 + 30 * HOUR; t += 5 * 60_000L + rnd.nextInt(20_000)) {
            store.write(randomBatch(rnd, t, app("a")));
            store.write(randomBatch(rnd, t + 3_000, app("b")));
        }
        long[][] ranges = {
                {T0, T0 + 30 * HOUR}, {T0 + 1_234, T0 + 29 * HOUR + 59_999}, {T0 + 90 * 60_000L, T0 + 5 * HOUR + 17},
                {T0 + 3 * HOUR, T0 + 4 * HOUR}, {T0 + 10 * 60_000L + 1, T0 + 11 * 60_000L}};
        List<Map<String, Long>> before = new ArrayList<>();
        List<List<TimeSeries>> totalsBefore = new ArrayList<>();
        for (long[] r : ranges) {
            before.add(collapsed(store.flameGraph(q(r[0], r[1]))));
            totalsBefore.add(store.totals(q(r[0], r[1]), HOUR, List.of("instance")));
        }
        assertThat(store.watermark("samples_1h")).isZero();
        store.runMaintenance();
        assertThat(store.watermark("samples_1m")).isEqualTo(T0 + 40 * HOUR - 60_000);
        assertThat(store.watermark("samples_1h")).isEqualTo(T0 + 39 * HOUR);
        assertThat(store.stats().rollupRows()).isPositive();
        for (int i = 0; i < ranges.length; i++) {
            assertThat(collapsed(store.flameGraph(q(ranges[i][0], ranges[i][1])))).as("range %d", i)
                    .isEqualTo(before.get(i));
            List<TimeSeries> totals = store.totals(q(ranges[i][0], ranges[i][1]), HOUR, List.of("instance"));
            assertThat(totals).hasSameSizeAs(totalsBefore.get(i));
            for (int s = 0; s < totals.size(); s++) {
                assertThat(totals.get(s).values()).containsExactly(totalsBefore.get(i).get(s).values());
            }
        }
        // A late upload into an hour already rolled up is counted once, whichever table answers.
        long lateTs = T0 + 2 * HOUR + 30_000;
        long total = store.flameGraph(q(T0, T0 + 30 * HOUR)).total();
        store.write(batch("default", lateTs, app("a"), "main;late 1000"));
        assertThat(store.flameGraph(q(T0, T0 + 30 * HOUR)).total()).isEqualTo(total + 1000);
        assertThat(store.flameGraph(q(lateTs, lateTs + 1)).total()).isGreaterThanOrEqualTo(1000);
        // Rolling up again is a no-op: watermarks only move forward.
        store.runMaintenance();
        assertThat(store.flameGraph(q(T0, T0 + 30 * HOUR)).total()).isEqualTo(total + 1000);
        // Reopen: watermarks are stored.
        store.close();
        open(T0 + 40 * HOUR);
        assertThat(store.watermark("samples_1h")).isEqualTo(T0 + 39 * HOUR);
        assertThat(store.flameGraph(q(T0, T0 + 30 * HOUR)).total()).isEqualTo(total + 1000);
    }

    @Test
    void retentionDeletesOnlyOldData() {
        open(T0 + 40 * DAY);
        store.write(batch("default", T0, app("old"), "f 1"));
        store.write(batch("default", T0 + 9 * DAY + 30 * 60_000L, app("old"), "f 2"));
        store.write(batch("default", T0 + 20 * DAY, app("new"), "f 4"));
        store.runMaintenance();
        ProfileQuery all = q(0, T0 + 41 * DAY);
        assertThat(store.flameGraph(all).total()).isEqualTo(7);
        assertThat(store.labelValues(new SeriesFilter("default", Selector.ALL, 0, Long.MAX_VALUE), "instance", 10))
                .containsExactly("new", "old");
        assertThat(store.deleteBefore("wall", T0 + 30 * DAY)).isZero();
        assertThat(store.deleteBefore("cpu", T0 + 9 * DAY + 45 * 60_000L)).isPositive();
        // cutoffs round down to the hour, so the upload at 9 d 0:30 stays
        assertThat(store.flameGraph(all).total()).isEqualTo(6);
        assertThat(store.flameGraph(q(T0, T0 + DAY)).total()).isZero();
        store.deleteBefore("cpu", T0 + 10 * DAY);
        assertThat(store.flameGraph(all).total()).isEqualTo(4);
        // series with nothing left are dropped
        assertThat(store.labelValues(new SeriesFilter("default", Selector.ALL, 0, Long.MAX_VALUE), "instance", 10))
                .containsExactly("new");
    }

    @Test
    void configuredRetentionRunsInMaintenance() {
        store = DuckDbProfileStore.open(DuckDbConfig.builder(dir).threads(1).clock(fixed(T0 + 40 * DAY))
                .retentionByType(Map.of("cpu", Duration.ofDays(30))).build());
        store.write(batch("default", T0, app("a"), "f 1"));
        store.write(batch("default", T0 + 15 * DAY, app("a"), "f 2"));
        store.runMaintenance();
        assertThat(store.flameGraph(q(0, T0 + 41 * DAY)).total()).isEqualTo(2);
        assertThat(store.stats().sampleRows()).isEqualTo(1);
    }
}
