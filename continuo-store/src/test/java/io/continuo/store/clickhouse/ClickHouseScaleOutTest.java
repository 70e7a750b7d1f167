package io.continuo.store.clickhouse;

import io.continuo.model.FlameTree;
import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import io.continuo.store.RangeSplit;
import io.continuo.store.SeriesFilter;
import io.continuo.store.StoreException;
import io.continuo.store.TimeSeries;
import io.continuo.store.WriteBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.continuo.store.ProfileStoreContract.HOUR;
import static io.continuo.store.ProfileStoreContract.T0;
import static io.continuo.store.ProfileStoreContract.app;
import static io.continuo.store.ProfileStoreContract.q;
import static io.continuo.store.TestProfiles.batch;
import static io.continuo.store.TestProfiles.collapsed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Several stateless servers on one database, rollups on long ranges, and errors that name their cause. */
@ExtendWith(ClickHouseServer.class)
class ClickHouseScaleOutTest {
    private final List<ClickHouseProfileStore> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(ClickHouseProfileStore::close);
    }

    private ClickHouseProfileStore store(String database) {
        ClickHouseProfileStore s = ClickHouseProfileStore.open(ClickHouseConfig.builder(ClickHouseServer.url())
                .database(database).build());
        open.add(s);
        return s;
    }

    private static String db(TestInfo info) {
        return ClickHouseServer.freshDatabase(info.getTestMethod().orElseThrow().getName());
    }

    @Test
    void twoServersWritingOverlappingStacksGiveExactNonDuplicatedAnswers(TestInfo info) throws Exception {
        String database = db(info);
        ClickHouseProfileStore a = store(database);
        ClickHouseProfileStore b = store(database);
        int uploads = 20;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (ClickHouseProfileStore s : List.of(a, b)) {
            for (int t = 0; t < 2; t++) {
                int thread = t;
                // Both servers write the same stacks and the same series at the same time: duplicates of frames,
                // stacks and series rows land in ClickHouse and stay there until (if ever) a merge removes them.
                done.add(pool.submit(() -> {
                    for (int i = 0; i < uploads; i++) {
                        s.write(batch("default", T0 + (thread * uploads + i) * 10_000L, app("shared"),
                                "main;work;parse 3", "main;work 2", "main;idle 1"));
                    }
                }));
            }
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        long writes = 2L * 2 * uploads;
        Map<String, Long> expected = collapsed("main;work;parse " + 3 * writes, "main;work " + 2 * writes,
                "main;idle " + writes);
        // A third server with cold caches resolves every stack from the database.
        ClickHouseProfileStore cold = store(database);
        for (ClickHouseProfileStore s : List.of(a, b, cold)) {
            assertThat(collapsed(s.flameGraph(q("", T0, T0 + HOUR)))).isEqualTo(expected);
            List<TimeSeries> totals = s.totals(q("", T0, T0 + HOUR), HOUR, List.of("instance"));
            assertThat(totals).hasSize(1);
            assertThat(totals.get(0).values()).containsExactly(6.0 * writes);
            assertThat(s.labelValues(new SeriesFilter("default", Selector.ALL, T0, T0 + HOUR), "instance", 10))
                    .containsExactly("shared");
        }
        assertThat(cold.stats().series()).isEqualTo(1);
        assertThat(cold.stats().stacks()).isEqualTo(3);
        assertThat(cold.stats().sampleRows()).isEqualTo(3 * writes);
    }

    @Test
    void longRangesReadRollupsAndMatchRawRows(TestInfo info) throws Exception {
        ClickHouseProfileStore s = store(db(info));
        Random rnd = new Random(42);
        List<long[]> ranges = List.of(new long[]{T0, T0 + 30 * HOUR}, new long[]{T0 + 1_234, T0 + 29 * HOUR + 59_999},
                new long[]{T0 + 90 * 60_000L, T0 + 5 * HOUR + 17}, new long[]{T0 + 3 * HOUR, T0 + 4 * HOUR},
                new long[]{T0 + 10 * 60_000L + 1, T0 + 11 * 60_000L});
        List<Map<String, Long>> expected = new ArrayList<>();
        ranges.forEach(r -> expected.add(new TreeMap<>()));
        long[] expectedTotals = new long[30];
        List<WriteBatch> batches = new ArrayList<>();
        for (long t = T0 + 7_000; t < T0 + 30 * HOUR; t += 5 * 60_000L + rnd.nextInt(20_000)) {
            for (String instance : List.of("a", "b")) {
                long ts = t + (instance.equals("a") ? 0 : 3_000);
                String[] lines = randomLines(rnd);
                batches.add(batch("default", ts, app(instance), lines));
                for (int i = 0; i < ranges.size(); i++) {
                    if (ts >= ranges.get(i)[0] && ts < ranges.get(i)[1]) {
                        Map<String, Long> want = expected.get(i);
                        for (String line : lines) {
                            collapsed(line).forEach((k, v) -> want.merge(k, v, Long::sum));
                        }
                    }
                }
                for (String line : lines) {
                    expectedTotals[(int) ((ts - T0) / HOUR)] += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        // Uploads arrive concurrently, as from many agents: the writer groups them into few INSERTs.
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> done = new ArrayList<>();
        batches.forEach(b -> done.add(pool.submit(() -> s.write(b))));
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(ClickHouseProfileStore.plan(T0, T0 + 30 * HOUR))
                .containsExactly(new RangeSplit.Piece("samples_1h", T0, T0 + 30 * HOUR));
        assertThat(ClickHouseProfileStore.plan(T0 + 1_234, T0 + 29 * HOUR + 59_999))
                .extracting(RangeSplit.Piece::table)
                .containsExactly("samples", "samples_1m", "samples_1h", "samples");
        for (int i = 0; i < ranges.size(); i++) {
            FlameTree tree = s.flameGraph(q("", ranges.get(i)[0], ranges.get(i)[1]));
            assertThat(collapsed(tree)).as("range %d", i).isEqualTo(expected.get(i));
        }
        List<TimeSeries> totals = s.totals(q("", T0, T0 + 30 * HOUR), HOUR, List.of());
        double[] want = new double[30];
        for (int h = 0; h < 30; h++) {
            want[h] = expectedTotals[h];
        }
        assertThat(totals.get(0).values()).containsExactly(want);
        // The rollups hold the same sums as the raw rows, and fewer rows once merged (random stacks repeat little).
        ClickHouseHttp http = new ClickHouseHttp(s.config());
        long raw = http.query("SELECT toInt64(sum(value)) FROM samples FORMAT RowBinary").int64();
        assertThat(http.query("SELECT toInt64(sum(value)) FROM samples_1h FORMAT RowBinary").int64()).isEqualTo(raw);
        assertThat(http.query("SELECT toInt64(sum(value)) FROM samples_1m FORMAT RowBinary").int64()).isEqualTo(raw);
        http.execute("OPTIMIZE TABLE " + s.config().database() + ".samples_1h FINAL");
        long hourRows = http.query("SELECT toInt64(count()) FROM samples_1h FORMAT RowBinary").int64();
        assertThat(hourRows).isLessThan(s.stats().sampleRows());
        assertThat(collapsed(s.flameGraph(q("", T0, T0 + 30 * HOUR)))).isEqualTo(expected.get(0));
    }

    private static String[] randomLines(Random rnd) {
        String[] names = {"main", "http", "parse", "json", "db", "query", "gc", "lock", "io", "hash"};
        int n = 3 + rnd.nextInt(6);
        String[] lines = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder("main");
            for (int d = 0, depth = 1 + rnd.nextInt(5); d < depth; d++) {
                sb.append(';').append(names[rnd.nextInt(names.length)]);
            }
            lines[i] = sb.append(' ').append(1 + rnd.nextInt(100)).toString();
        }
        return lines;
    }

    @Test
    void passwordsAuthenticateAndClickHouseErrorsKeepTheirMessage(TestInfo info) {
        String database = db(info);
        ClickHouseProfileStore s = ClickHouseProfileStore.open(ClickHouseConfig.builder(ClickHouseServer.url())
                .database(database).user(ClickHouseServer.USER).password(ClickHouseServer.PASSWORD).build());
        open.add(s);
        s.write(batch("default", T0, app("a"), "f 1"));
        assertThat(s.flameGraph(q("", T0, T0 + HOUR)).total()).isEqualTo(1);
        assertThatThrownBy(() -> ClickHouseProfileStore.open(ClickHouseConfig.builder(ClickHouseServer.url())
                .database(database).user(ClickHouseServer.USER).password("wrong").build()))
                .isInstanceOf(StoreException.class).hasMessageContaining("Wrong password for user continuo")
                .hasMessageNotContaining("e.what()");
        ClickHouseHttp http = new ClickHouseHttp(s.config());
        assertThatThrownBy(() -> http.query("SELECT * FROM no_such_table FORMAT RowBinary"))
                .isInstanceOf(StoreException.class).hasMessageContaining("no_such_table")
                .hasMessageContaining("doesn't exist");
        assertThatThrownBy(() -> ClickHouseProfileStore.open(ClickHouseConfig.builder("http://127.0.0.1:1")
                .database(database).build())).isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot connect to ClickHouse at http://127.0.0.1:1/");
    }

    @Test
    void aDeadEndpointInTheListIsSkipped(TestInfo info) {
        // Single-server mode with several endpoints (e.g. a proxy and the server itself): the dead one first.
        ClickHouseProfileStore s = ClickHouseProfileStore.open(ClickHouseConfig.builder("http://127.0.0.1:1,"
                + ClickHouseServer.url()).database(db(info)).build());
        open.add(s);
        s.write(batch("default", T0, app("a"), "f 3"));
        assertThat(s.flameGraph(q("", T0, T0 + HOUR)).total()).isEqualTo(3);
        assertThat(s.unavailable()).isEmpty();
        assertThat(s.config().clustered()).isFalse();
    }

    @Test
    void aFailedInsertReachesTheCallerWithClickHouseMessage(TestInfo info) {
        String database = db(info);
        ClickHouseProfileStore s = store(database);
        s.write(batch("default", T0, app("a"), "f 1"));
        ClickHouseHttp http = new ClickHouseHttp(s.config());
        http.execute("DROP TABLE " + database + ".samples");
        assertThatThrownBy(() -> s.write(batch("default", T0, app("a"), "g 1"))).isInstanceOf(StoreException.class)
                .hasMessageContaining("write to ClickHouse failed")
                .hasMessageContaining("samples").hasMessageContaining("doesn't exist")
                .hasMessageNotContaining("e.what()");
        // A new store instance recreates what is missing; the writer of the old one keeps serving.
        store(database).close();
        s.write(batch("default", T0 + 10_000, app("a"), "h 2"));
        assertThat(s.flameGraph(q("", T0 + 10_000, T0 + HOUR)).total()).isEqualTo(2);
    }

    @Test
    void manySeriesAreSelectedBySubqueryOrByALongIdList(TestInfo info) {
        ClickHouseProfileStore s = store(db(info));
        // More series than ClickHouse's default max_ast_elements (50,000) allows literals in one query.
        int n = 60_000;
        var p = io.continuo.store.TestProfiles.profile("main;work 1");
        List<io.continuo.store.SeriesRows> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new io.continuo.store.SeriesRows(app("i" + i), io.continuo.store.TestProfiles.CPU,
                    new int[]{p.stack(0)}, new long[]{1}, 1));
        }
        s.write(new WriteBatch("default", T0, T0 + 10_000, p, rows, List.of()));
        // equality only: selected in SQL, rows picked by a subquery
        assertThat(s.flameGraph(q("{service=\"shop\"}", T0, T0 + HOUR)).total()).isEqualTo(n);
        // a regular expression is matched in Java: rows picked by a list of 60,000 ids
        assertThat(s.flameGraph(q("{instance=~\"i[0-9]+\"}", T0, T0 + HOUR)).total()).isEqualTo(n);
        assertThat(s.totals(q("{instance!=\"i7\"}", T0, T0 + HOUR), HOUR, List.of()).get(0).values())
                .containsExactly(n - 1.0);
    }

    @Test
    void answersLargerThanTheLimitFailInsteadOfFillingTheHeap(TestInfo info) {
        String database = db(info);
        ClickHouseProfileStore s = store(database);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lines.add("main;f" + i + " 1");
        }
        s.write(batch("default", T0, app("a"), lines.toArray(String[]::new)));
        ClickHouseProfileStore small = ClickHouseProfileStore.open(ClickHouseConfig.builder(ClickHouseServer.url())
                .database(database).maxResponseBytes(2048).build());
        open.add(small);
        assertThatThrownBy(() -> small.flameGraph(q("", T0, T0 + HOUR))).isInstanceOf(StoreException.class)
                .hasMessageContaining("maxResponseBytes=2048");
        assertThat(s.flameGraph(new ProfileQuery("default", "cpu", Selector.parse("{instance=\"a\"}"), T0, T0 + HOUR))
                .total()).isEqualTo(200);
    }
}
