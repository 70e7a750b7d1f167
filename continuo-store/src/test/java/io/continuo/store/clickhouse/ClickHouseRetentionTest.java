package io.continuo.store.clickhouse;

import io.continuo.model.Selector;
import io.continuo.store.MetricPoint;
import io.continuo.store.MetricQuery;
import io.continuo.store.ProfileQuery;
import io.continuo.store.SeriesFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.continuo.store.ProfileStoreContract.HOUR;
import static io.continuo.store.ProfileStoreContract.T0;
import static io.continuo.store.ProfileStoreContract.app;
import static io.continuo.store.ProfileStoreContract.fixed;
import static io.continuo.store.TestProfiles.batch;
import static org.assertj.core.api.Assertions.assertThat;

/** Retention: whole old days are dropped as partitions, the rest deleted row by row, as the DuckDB engine does. */
@ExtendWith(ClickHouseServer.class)
class ClickHouseRetentionTest {
    static final long DAY = 24 * HOUR;

    private ClickHouseProfileStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void open(TestInfo info, ClickHouseConfig.Builder b) {
        store = ClickHouseProfileStore.open(b.database(ClickHouseServer.freshDatabase(
                info.getTestMethod().orElseThrow().getName())).build());
    }

    static ProfileQuery q(long from, long until) {
        return new ProfileQuery("default", "cpu", Selector.ALL, from, until);
    }

    private List<String> partitions(String table) {
        ClickHouseHttp http = new ClickHouseHttp(store.config());
        RowBinaryInput in = http.query("SELECT DISTINCT partition FROM system.parts WHERE active AND database = "
                + SqlLiterals.quote(store.config().database()) + " AND table = " + SqlLiterals.quote(table)
                + " ORDER BY partition FORMAT RowBinary");
        List<String> out = new ArrayList<>();
        while (in.hasMore()) {
            out.add(in.string());
        }
        return out;
    }

    @Test
    void deleteBeforeDropsOldDaysAndRoundsTheCutToTheHour(TestInfo info) {
        open(info, ClickHouseConfig.builder(ClickHouseServer.url()).clock(fixed(T0 + 40 * DAY)));
        store.write(batch("default", T0, app("old"), "f 1"));
        store.write(batch("default", T0 + 9 * DAY + 30 * 60_000L, app("old"), "f 2"));
        store.write(batch("default", T0 + 20 * DAY, app("new"), "f 4"));
        ProfileQuery all = q(0, T0 + 41 * DAY);
        assertThat(store.flameGraph(all).total()).isEqualTo(7);
        SeriesFilter everything = new SeriesFilter("default", Selector.ALL, 0, Long.MAX_VALUE);
        assertThat(store.labelValues(everything, "instance", 10)).containsExactly("new", "old");
        long day0 = T0 / DAY;
        assertThat(partitions("samples")).contains("('cpu'," + day0 + ")");
        assertThat(store.deleteBefore("wall", T0 + 30 * DAY)).isZero();
        // one raw row, its 1m and 1h rollups and its totals row: 4 rows of the first day
        assertThat(store.deleteBefore("cpu", T0 + 9 * DAY + 45 * 60_000L)).isEqualTo(4);
        assertThat(partitions("samples")).doesNotContain("('cpu'," + day0 + ")");
        // cutoffs round down to the hour, so the upload at 9 d 0:30 stays
        assertThat(store.flameGraph(all).total()).isEqualTo(6);
        assertThat(store.flameGraph(q(T0, T0 + DAY)).total()).isZero();
        assertThat(store.totals(q(T0, T0 + DAY), DAY, List.of())).isEmpty();
        // 9 d 1:00 falls inside a day: that day's rows before it are deleted by a mutation
        store.deleteBefore("cpu", T0 + 9 * DAY + HOUR);
        assertThat(store.flameGraph(all).total()).isEqualTo(4);
        assertThat(store.flameGraph(q(T0 + 9 * DAY, T0 + 10 * DAY)).total()).isZero();
        // series with nothing left no longer show up
        assertThat(store.labelValues(everything, "instance", 10)).containsExactly("new");
        // the store keeps working after retention, for old and new series
        store.write(batch("default", T0 + 21 * DAY, app("old"), "f 8"));
        assertThat(store.flameGraph(all).total()).isEqualTo(12);
        assertThat(store.labelValues(everything, "instance", 10)).containsExactly("new", "old");
    }

    @Test
    void configuredRetentionRunsInMaintenanceForTypesAndMetrics(TestInfo info) {
        open(info, ClickHouseConfig.builder(ClickHouseServer.url()).clock(fixed(T0 + 40 * DAY))
                .retentionByType(Map.of("cpu", Duration.ofDays(30), ClickHouseConfig.METRICS_RETENTION_KEY,
                        Duration.ofDays(10))));
        store.write(batch("default", T0, app("a"), "f 1"));
        store.write(batch("default", T0 + 15 * DAY, app("a"), "f 2"));
        store.writeMetrics("default", app("a"), List.of(new MetricPoint("heap", T0 + 25 * DAY, 1),
                new MetricPoint("heap", T0 + 35 * DAY, 3)));
        store.runMaintenance();
        assertThat(store.flameGraph(q(0, T0 + 41 * DAY)).total()).isEqualTo(2);
        assertThat(store.stats().sampleRows()).isEqualTo(1);
        assertThat(store.stats().metricPoints()).isEqualTo(1);
        assertThat(store.metric(new MetricQuery("default", "heap", Selector.ALL, T0, T0 + 41 * DAY), DAY, List.of())
                .get(0).values()).containsExactly(3.0);
    }
}
