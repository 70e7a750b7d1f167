package io.continuo.store.clickhouse;

import io.continuo.model.FlameTree;
import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.MetricPoint;
import io.continuo.store.MetricQuery;
import io.continuo.store.ProfileQuery;
import io.continuo.store.SeriesFilter;
import io.continuo.store.TestProfiles;
import io.continuo.store.TraceQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.continuo.store.ProfileStoreContract.HOUR;
import static io.continuo.store.ProfileStoreContract.T0;
import static io.continuo.store.TestProfiles.collapsed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Label values, function names, tenants, trace ids and metric names are attacker-controlled: each round-trips exactly
 * and selects exactly itself, and none of them can change the SQL they end up in.
 */
@ExtendWith(ClickHouseServer.class)
class HostileStringsTest {
    /** Hostile strings without ';' and ' ' (the collapsed test format's separators) and non-empty. */
    static final List<String> VALUES = List.of("it's", "\\", "\\'", "a\\');DROP_TABLE_samples;--".replace(";", ":"),
            "');DROP\tTABLE\tsamples--", "back\\slash\\\\", "new\nline", "cr\rnul\0bell\u0007", "ünïcødé_日本語_🔥",
            "\"double\"", "{x:String}", "\\N", "%s", "a|b", ".*");

    private ClickHouseProfileStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void hostileStringsRoundTripAndSelectExactlyThemselves(TestInfo info) {
        store = ClickHouseProfileStore.open(ClickHouseConfig.builder(ClickHouseServer.url())
                .database(ClickHouseServer.freshDatabase(info.getTestMethod().orElseThrow().getName())).build());
        String tenant = "tenant ' \\ \n 🔥";
        for (int i = 0; i < VALUES.size(); i++) {
            String v = VALUES.get(i);
            Labels labels = Labels.of("service", "shop", "instance", v, "endpoint", v);
            store.write(TestProfiles.traceBatch(tenant, T0 + i * 1000L, labels, "trace" + v, "span" + v,
                    "main;" + v + ";leaf" + v + " " + (i + 1)));
            store.writeMetrics(tenant, labels, List.of(new MetricPoint("metric" + v, T0 + i * 1000L, i + 1)));
        }
        SeriesFilter all = new SeriesFilter(tenant, Selector.ALL, T0, T0 + HOUR);
        assertThat(store.labelValues(all, "instance", 100)).containsExactlyInAnyOrderElementsOf(VALUES);
        assertThat(store.labelNames(all)).containsExactly("endpoint", "instance", "service");
        assertThat(store.metricNames(all)).hasSize(VALUES.size())
                .allSatisfy(name -> assertThat(VALUES).contains(name.substring("metric".length())));
        Map<String, Long> everything = new TreeMap<>();
        for (int i = 0; i < VALUES.size(); i++) {
            String v = VALUES.get(i);
            double expectedValue = i + 1;
            everything.put("main;" + v + ";leaf" + v, (long) (i + 1));
            Selector exact = new Selector(List.of(LabelMatcher.of("instance", LabelMatcher.Op.EQ, v)));
            FlameTree tree = store.flameGraph(new ProfileQuery(tenant, "cpu", exact, T0, T0 + HOUR));
            assertThat(collapsed(tree)).as("selector instance=%s", v)
                    .isEqualTo(Map.of("main;" + v + ";leaf" + v, (long) (i + 1)));
            // Selectors parsed from text, as the HTTP API receives them, work the same.
            assertThat(store.flameGraph(new ProfileQuery(tenant, "cpu", Selector.parse(exact.toString()), T0,
                    T0 + HOUR)).total()).as("parsed %s", exact).isEqualTo(i + 1);
            TraceQuery trace = new TraceQuery(tenant, "cpu", "trace" + v, "span" + v, T0, T0 + HOUR);
            assertThat(store.traceFlameGraph(trace).total()).as("trace %s", v).isEqualTo(i + 1);
            assertThat(store.spans(trace, 10)).singleElement()
                    .satisfies(s -> assertThat(s.endpoint()).isEqualTo(v));
            assertThat(store.metric(new MetricQuery(tenant, "metric" + v, exact, T0, T0 + HOUR), HOUR, List.of()))
                    .singleElement().satisfies(ts -> assertThat(ts.values()).containsExactly(expectedValue));
        }
        assertThat(collapsed(store.flameGraph(new ProfileQuery(tenant, "cpu", Selector.ALL, T0, T0 + HOUR))))
                .isEqualTo(everything);
        // Regular expressions are Java's, anchored, on the exact stored value.
        Selector regex = new Selector(List.of(LabelMatcher.of("instance", LabelMatcher.Op.RE, "\\.\\*|a\\|b")));
        assertThat(store.flameGraph(new ProfileQuery(tenant, "cpu", regex, T0, T0 + HOUR)).total())
                .isEqualTo(VALUES.indexOf(".*") + 1 + VALUES.indexOf("a|b") + 1);
        // Nothing was dropped or leaked into another tenant.
        assertThat(store.flameGraph(new ProfileQuery("default", "cpu", Selector.ALL, T0, T0 + HOUR)).total()).isZero();
        assertThat(store.stats().sampleRows()).isEqualTo(VALUES.size());
    }
}
