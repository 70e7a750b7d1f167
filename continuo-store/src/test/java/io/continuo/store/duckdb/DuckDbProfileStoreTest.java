package io.continuo.store.duckdb;

import io.continuo.model.Selector;
import io.continuo.store.ProfileStore;
import io.continuo.store.ProfileStoreContract;
import io.continuo.store.SeriesFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.continuo.store.TestProfiles.batch;
import static io.continuo.store.TestProfiles.collapsed;
import static org.assertj.core.api.Assertions.assertThat;

/** The store contract on the embedded DuckDB engine, plus what only it has (dense local stack ids). */
class DuckDbProfileStoreTest extends ProfileStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ProfileStore openStore(int maxSeriesPerTenant) {
        return DuckDbProfileStore.open(DuckDbConfig.builder(dir).maxSeriesPerTenant(maxSeriesPerTenant)
                .memoryLimitBytes(256L << 20).threads(1).maintenanceInterval(java.time.Duration.ofHours(1)).build());
    }

    private DuckDbProfileStore duck() {
        return (DuckDbProfileStore) store;
    }

    @Test
    void reopenKeepsEverythingAndStackIdsStable() {
        open();
        store.write(batch("default", T0, app("a"), "main;work;parse 30", "main;idle 5"));
        int stacksBefore = duck().stacks().stackCount();
        store.close();
        open();
        assertThat(duck().stacks().stackCount()).isEqualTo(stacksBefore);
        store.write(batch("default", T0 + 10_000, app("a"), "main;work;parse 1"));
        assertThat(duck().stacks().stackCount()).isEqualTo(stacksBefore);
        assertThat(collapsed(store.flameGraph(q("", T0, T0 + HOUR))))
                .isEqualTo(collapsed("main;work;parse 31", "main;idle 5"));
        assertThat(store.labelValues(new SeriesFilter("default", Selector.ALL, T0, T0 + HOUR), "instance", 10))
                .containsExactly("a");
        store.close();
        store.close();
    }

    /** Issue #9: two lines of Long.MAX_VALUE uploaded twice made every query of them fail ("INT128 out of range"). */
    @Test
    void hugeValuesSaturateInsteadOfFailingQueries() {
        // A clock just after the data, so maintenance rolls it up instead of expiring it.
        java.util.function.Supplier<ProfileStore> opener = () -> DuckDbProfileStore.open(DuckDbConfig.builder(dir)
                .threads(1).memoryLimitBytes(256L << 20).maintenanceInterval(java.time.Duration.ofHours(1))
                .clock(java.time.Clock.fixed(java.time.Instant.ofEpochMilli(T0 + 3 * HOUR), java.time.ZoneOffset.UTC))
                .build());
        store = opener.get();
        String max = Long.toString(Long.MAX_VALUE);
        for (int i = 0; i < 2; i++) {
            store.write(io.continuo.store.TestProfiles.traceBatch("default", T0 + i * 1000L, app("a"), "t1", "s1",
                    "main;a " + max, "main;b " + max));
        }
        // (one profile with the same stack twice would wrap in the model before the store sees it)
        store.write(batch("default", T0 + 5000, app("a"), "main;a " + max, "main;c " + max));
        java.util.List<Long> checks = new java.util.ArrayList<>();
        Runnable queries = () -> {
            io.continuo.model.FlameTree tree = store.flameGraph(q("", T0, T0 + HOUR));
            assertThat(collapsed(tree)).containsEntry("main;a", Long.MAX_VALUE).containsEntry("main;b", Long.MAX_VALUE);
            double total = store.totals(q("", T0, T0 + HOUR), HOUR, java.util.List.of()).get(0).values()[0];
            assertThat(total).isPositive();
            assertThat(store.traces(q("", T0, T0 + HOUR), 10)).singleElement()
                    .satisfies(t -> assertThat(t.value()).isEqualTo(Long.MAX_VALUE));
            assertThat(store.traceFlameGraph(new io.continuo.store.TraceQuery("default", "cpu", "t1", null, T0,
                    T0 + HOUR)).total()).isNotZero();
            checks.add(1L);
        };
        queries.run();
        duck().runMaintenance(); // rollups sum the huge values too
        queries.run();
        assertThat(duck().watermark("samples_1h")).isGreaterThan(T0);
        store.close();
        store = opener.get();
        queries.run();
        assertThat(checks).hasSize(3);
    }
}
