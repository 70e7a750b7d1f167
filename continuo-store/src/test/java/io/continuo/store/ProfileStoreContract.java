package io.continuo.store;

import io.continuo.model.FlameTree;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.model.ValidationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.continuo.store.TestProfiles.batch;
import static io.continuo.store.TestProfiles.collapsed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ProfileStore} engine must do, run against each: an engine's test class extends this and says how
 * to open a store over storage that is empty when the test starts and kept when the store is reopened.
 */
public abstract class ProfileStoreContract {
    /** 2024-01-01T00:00:00Z: synthetic data lives in the past, so rollups may run at once. */
    public static final long T0 = 1_704_067_200_000L;
    public static final long HOUR = 3_600_000L;

    protected ProfileStore store;

    /** Opens a store over this test's storage (empty at the test's start; a second call reopens the same data). */
    protected abstract ProfileStore openStore(int maxSeriesPerTenant);

    protected ProfileStore open() {
        return open(100_000);
    }

    protected ProfileStore open(int maxSeriesPerTenant) {
        store = openStore(maxSeriesPerTenant);
        return store;
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    public static Labels app(String instance) {
        return Labels.of("service", "shop", "instance", instance, "env", "prod");
    }

    public static ProfileQuery q(String selector, long from, long until) {
        return new ProfileQuery("default", "cpu", Selector.parse(selector), from, until);
    }

    public static Clock fixed(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Test
    void writeThenFlameGraphIsExact() {
        open();
        store.write(batch("default", T0, app("a"), "main;work;parse 30", "main;work 10", "main;idle 5"));
        store.write(batch("default", T0 + 10_000, app("b"), "main;work;parse 7", "main;gc 1"));
        FlameTree tree = store.flameGraph(q("{service=\"shop\"}", T0, T0 + HOUR));
        assertThat(collapsed(tree)).isEqualTo(collapsed(
                "main;work;parse 37", "main;work 10", "main;idle 5", "main;gc 1"));
        assertThat(tree.total()).isEqualTo(53);
        // the range is [from, until): the second upload starts exactly at until
        assertThat(store.flameGraph(q("", T0, T0 + 10_000)).total()).isEqualTo(45);
    }

    @Test
    void selectorsFilterSeries() {
        open();
        store.write(batch("default", T0, app("a"), "f 1"));
        store.write(batch("default", T0, app("b"), "f 10"));
        store.write(batch("default", T0, app("c").with("version", "2"), "f 100"));
        assertThat(store.flameGraph(q("{instance=\"a\"}", T0, T0 + HOUR)).total()).isEqualTo(1);
        assertThat(store.flameGraph(q("{instance!=\"a\"}", T0, T0 + HOUR)).total()).isEqualTo(110);
        assertThat(store.flameGraph(q("{instance=~\"a|c\"}", T0, T0 + HOUR)).total()).isEqualTo(101);
        assertThat(store.flameGraph(q("{instance!~\"a|b\"}", T0, T0 + HOUR)).total()).isEqualTo(100);
        assertThat(store.flameGraph(q("{version=\"2\"}", T0, T0 + HOUR)).total()).isEqualTo(100);
        assertThat(store.flameGraph(q("{service=\"other\"}", T0, T0 + HOUR)).total()).isZero();
        assertThat(store.flameGraph(new ProfileQuery("default", "wall", Selector.ALL, T0, T0 + HOUR)).total()).isZero();
    }

    @Test
    void labelsTypesAndRanges() {
        open();
        store.write(batch("default", T0, app("a"), "f 1"));
        store.write(batch("default", T0 + 2 * HOUR, app("b").with("version", "7"), "f 1"));
        SeriesFilter all = new SeriesFilter("default", Selector.ALL, T0, T0 + 3 * HOUR);
        assertThat(store.labelNames(all)).containsExactly("env", "instance", "service", "version");
        assertThat(store.labelValues(all, "instance", 10)).containsExactly("a", "b");
        assertThat(store.labelValues(all, "instance", 1)).containsExactly("a");
        assertThat(store.profileTypes(all)).containsExactly(new TypeInfo("cpu", "nanoseconds"));
        SeriesFilter late = new SeriesFilter("default", Selector.ALL, T0 + HOUR, T0 + 3 * HOUR);
        assertThat(store.labelValues(late, "instance", 10)).containsExactly("b");
        SeriesFilter other = new SeriesFilter("other", Selector.ALL, T0, T0 + 3 * HOUR);
        assertThat(store.labelNames(other)).isEmpty();
    }

    @Test
    void totalsPerStepAndGroupBy() {
        open();
        for (int i = 0; i < 12; i++) {
            store.write(batch("default", T0 + i * 10_000L, app("a"), "f 1"));
            store.write(batch("default", T0 + i * 10_000L, app("b"), "f 2", "g 1"));
        }
        List<TimeSeries> one = store.totals(q("", T0, T0 + 120_000), 60_000, List.of());
        assertThat(one).hasSize(1);
        assertThat(one.get(0).timestamps()).containsExactly(T0, T0 + 60_000);
        assertThat(one.get(0).values()).containsExactly(24.0, 24.0);
        List<TimeSeries> byInstance = store.totals(q("", T0, T0 + 120_000), 30_000, List.of("instance"));
        assertThat(byInstance).extracting(TimeSeries::labels).containsExactly(Labels.of("instance", "a"),
                Labels.of("instance", "b"));
        assertThat(byInstance.get(0).values()).containsExactly(3.0, 3.0, 3.0, 3.0);
        assertThat(byInstance.get(1).values()).containsExactly(9.0, 9.0, 9.0, 9.0);
        assertThatThrownBy(() -> store.totals(q("", T0, T0 + 30 * 86_400_000L), 1, List.of()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("too many points");
    }

    @Test
    void tenantsAreIsolated() {
        open();
        store.write(batch("acme", T0, app("a"), "secret 5"));
        store.write(batch("default", T0, app("a"), "public 1"));
        assertThat(collapsed(store.flameGraph(q("", T0, T0 + HOUR)))).containsOnlyKeys("public");
        assertThat(store.flameGraph(new ProfileQuery("acme", "cpu", Selector.ALL, T0, T0 + HOUR)).total()).isEqualTo(5);
        assertThat(store.flameGraph(new ProfileQuery("nobody", "cpu", Selector.ALL, T0, T0 + HOUR)).total()).isZero();
    }

    @Test
    void seriesLimitRefusesNewSeriesButKeepsOldOnes() {
        open(2);
        store.write(batch("default", T0, app("a"), "f 1"));
        store.write(batch("default", T0, app("b"), "f 1"));
        assertThatThrownBy(() -> store.write(batch("default", T0, app("c"), "f 1")))
                .isInstanceOf(StoreLimitException.class).hasMessageContaining("maxSeriesPerTenant=2");
        store.write(batch("default", T0 + 10_000, app("a"), "f 1"));
        store.write(batch("other", T0, app("c"), "f 1"));
        assertThat(store.flameGraph(q("", T0, T0 + HOUR)).total()).isEqualTo(3);
    }

    @Test
    void reopenKeepsEverything() {
        open();
        store.write(batch("default", T0, app("a"), "main;work;parse 30", "main;idle 5"));
        store.close();
        open();
        store.write(batch("default", T0 + 10_000, app("a"), "main;work;parse 1"));
        assertThat(collapsed(store.flameGraph(q("", T0, T0 + HOUR))))
                .isEqualTo(collapsed("main;work;parse 31", "main;idle 5"));
        assertThat(store.labelValues(new SeriesFilter("default", Selector.ALL, T0, T0 + HOUR), "instance", 10))
                .containsExactly("a");
        store.close();
        store.close();
        assertThatThrownBy(() -> store.flameGraph(q("", T0, T0 + HOUR))).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void tracesAndTraceFlameGraphs() {
        open();
        Labels l = app("a").with("endpoint", "/buy");
        store.write(TestProfiles.traceBatch("default", T0, l, "t1", "s1", "main;buy 10"));
        store.write(TestProfiles.traceBatch("default", T0 + 10_000, l, "t1", "s2", "main;pay 4"));
        store.write(TestProfiles.traceBatch("default", T0 + 10_000, l, "t2", "s3", "main;buy 1"));
        List<TraceSummary> traces = store.traces(q("{endpoint=\"/buy\"}", T0, T0 + HOUR), 10);
        assertThat(traces).extracting(TraceSummary::traceId).containsExactly("t1", "t2");
        assertThat(traces.get(0).value()).isEqualTo(14);
        assertThat(traces.get(0).endpoint()).isEqualTo("/buy");
        assertThat(traces.get(0).lastMillis()).isEqualTo(T0 + 10_000);
        TraceQuery tq = new TraceQuery("default", "cpu", "t1", null, T0, T0 + HOUR);
        assertThat(collapsed(store.traceFlameGraph(tq))).isEqualTo(collapsed("main;buy 10", "main;pay 4"));
        TraceQuery span = new TraceQuery("default", "cpu", "t1", "s2", T0, T0 + HOUR);
        assertThat(collapsed(store.traceFlameGraph(span))).isEqualTo(collapsed("main;pay 4"));
        TraceQuery spanAlone = new TraceQuery("default", "cpu", null, "s3", T0, T0 + HOUR);
        assertThat(collapsed(store.traceFlameGraph(spanAlone))).isEqualTo(collapsed("main;buy 1"));
        List<TraceSummary> spans = store.spans(tq, 10);
        assertThat(spans).extracting(TraceSummary::spanId).containsExactly("s1", "s2");
        assertThat(spans).extracting(TraceSummary::value).containsExactly(10L, 4L);
    }

    @Test
    void metricsAverageAndNames() {
        open();
        Labels l = app("a");
        store.writeMetrics("default", l, List.of(new MetricPoint("heap_used_bytes", T0, 10),
                new MetricPoint("heap_used_bytes", T0 + 20_000, 20), new MetricPoint("threads", T0, 5)));
        store.writeMetrics("default", app("b"), List.of(new MetricPoint("heap_used_bytes", T0 + 70_000, 7)));
        SeriesFilter all = new SeriesFilter("default", Selector.ALL, T0, T0 + HOUR);
        assertThat(store.metricNames(all)).containsExactly("heap_used_bytes", "threads");
        assertThat(store.profileTypes(all)).isEmpty();
        List<TimeSeries> heap = store.metric(new MetricQuery("default", "heap_used_bytes", Selector.ALL, T0,
                T0 + 120_000), 60_000, List.of());
        assertThat(heap).hasSize(1);
        assertThat(heap.get(0).timestamps()).containsExactly(T0, T0 + 60_000);
        assertThat(heap.get(0).values()).containsExactly(15.0, 7.0);
    }

    @Test
    void concurrentWritersAreAllDurable() throws Exception {
        open();
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    store.write(batch("default", T0 + i * 10_000L, app("i" + id), "main;t" + id + ";x 2", "main;y 1"));
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        store.close();
        open();
        FlameTree tree = store.flameGraph(q("", T0, T0 + HOUR));
        assertThat(tree.total()).isEqualTo(threads * perThread * 3L);
        Map<String, Long> c = collapsed(tree);
        assertThat(c.get("main;y")).isEqualTo(threads * perThread);
        assertThat(c.get("main;t3;x")).isEqualTo(perThread * 2L);
    }

    @Test
    void invalidBatchesAreRefusedWithoutHarm() {
        open();
        var p = TestProfiles.profile("a 1");
        var bad = new SeriesRows(app("a"), TestProfiles.CPU, new int[]{99}, new long[]{1}, 1);
        assertThatThrownBy(() -> store.write(new WriteBatch("default", T0, T0, p, List.of(bad),
                List.of()))).isInstanceOf(ValidationException.class).hasMessageContaining("stack 99");
        store.write(batch("default", T0, app("a"), "f 1"));
        assertThat(store.flameGraph(q("", T0, T0 + HOUR)).total()).isEqualTo(1);
    }

    @Test
    void storeStatsCountWhatWasWritten() {
        open();
        store.write(batch("default", T0, app("a"), "main;work 3", "main;idle 1"));
        store.write(batch("default", T0 + 10_000, app("a"), "main;work 2"));
        StoreStats stats = store.stats();
        assertThat(stats.series()).isEqualTo(1);
        // stacks main;work and main;idle: engines may also count the prefix "main", never fewer than two
        assertThat(stats.stacks()).isBetween(2L, 3L);
        assertThat(stats.frames()).isEqualTo(3);
        assertThat(stats.sampleRows()).isEqualTo(3);
    }

    private static WriteBatch heap(long ts, Labels labels, String... collapsed) {
        io.continuo.model.Profile p = TestProfiles.profile(collapsed);
        SeriesRows cpuRows = TestProfiles.rows(p, labels);
        SeriesRows rows = new SeriesRows(labels, io.continuo.model.ProfileType.INUSE_BYTES, cpuRows.stacks(),
                cpuRows.values(), cpuRows.count());
        return new WriteBatch("default", ts, ts + 10_000, p, List.of(rows), List.of());
    }

    /** In-use heap is a level: over a range it reads as each series' mean snapshot, summed across series (#10). */
    @Test
    void gaugesReadAsMeanLevelPerSeriesCumulativeTypesAsSums() {
        open();
        long mb = 1L << 20;
        store.write(heap(T0, app("a"), "main;cache " + 200 * mb, "main;buf " + 25 * mb));
        store.write(heap(T0 + 60_000, app("a"), "main;cache " + 204 * mb));
        store.write(heap(T0 + 120_000, app("a"), "main;cache " + 300 * mb, "main;buf " + 56 * mb));
        store.write(heap(T0, app("b"), "main;cache " + 100 * mb));
        store.write(heap(T0 + 120_000, app("b"), "main;cache " + 100 * mb));
        store.write(batch("default", T0, app("a"), "main;work 5"));
        store.write(batch("default", T0 + 60_000, app("a"), "main;work 5"));
        ProfileQuery heapA = new ProfileQuery("default", "inuse_bytes", Selector.parse("{instance=\"a\"}"), T0, T0 + HOUR);
        // snapshots of 225, 204 and 356 MB read as 261.67 MB, not 785 MB
        FlameTree a = store.flameGraph(heapA);
        assertThat(a.total()).isBetween(785 * mb / 3 - 2, 785 * mb / 3 + 2);
        assertThat(collapsed(a).get("main;buf")).isBetween(81 * mb / 3 - 1, 81 * mb / 3 + 1);
        // summed across series: a's mean plus b's 100 MB
        ProfileQuery heapAll = new ProfileQuery("default", "inuse_bytes", Selector.ALL, T0, T0 + HOUR);
        assertThat(store.flameGraph(heapAll).total()).isBetween(785 * mb / 3 + 100 * mb - 2, 785 * mb / 3 + 100 * mb + 2);
        // the time series plots the level per step (one snapshot per series per minute here)
        List<TimeSeries> levels = store.totals(heapAll, 60_000, List.of());
        assertThat(levels.get(0).values()[0]).isEqualTo((225 + 100) * (double) mb);
        assertThat(levels.get(0).values()[1]).isEqualTo(204 * (double) mb);
        assertThat(levels.get(0).values()[2]).isEqualTo((356 + 100) * (double) mb);
        // two snapshots in one 10-minute step: their mean, per series
        assertThat(store.totals(heapA, 600_000, List.of()).get(0).values()[0]).isEqualTo(785 * (double) mb / 3);
        // cpu is cumulative: still the sum
        assertThat(store.flameGraph(q("{instance=\"a\"}", T0, T0 + HOUR)).total()).isEqualTo(10);
    }
}
