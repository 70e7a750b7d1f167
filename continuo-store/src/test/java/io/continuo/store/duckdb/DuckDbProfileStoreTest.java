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
}
