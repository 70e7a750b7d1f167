package io.continuo.store.clickhouse;

import org.junit.jupiter.api.Test;
import static io.continuo.store.ProfileStoreContract.*;
import static io.continuo.store.TestProfiles.batch;

class ScratchClusterTest {
    @Test
    void scratch() throws Exception {
        long t0 = System.nanoTime();
        try (ClickHouseCluster c = ClickHouseCluster.start(2, 2)) {
            System.out.println("started in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            ClickHouseProfileStore a = ClickHouseProfileStore.open(ClickHouseConfig.builder(c.urls()).cluster(ClickHouseCluster.NAME).database("x").build());
            System.out.println("opened in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            a.write(batch("default", T0, app("i1"), "a 1"));
            c.node(2, 1).kill();
            c.node(2, 2).kill();
            for (int i = 0; i < 8; i++) {
                long id = SeriesIndex.seriesId("default", "cpu", app("i" + i));
                try {
                    a.write(batch("default", T0 + i, app("i" + i), "a 1"));
                    System.out.println("i" + i + " shard " + a.topology().shardOf(id) + " ok");
                } catch (Exception e) {
                    System.out.println("i" + i + " shard " + a.topology().shardOf(id) + " " + e.getMessage());
                }
            }
            System.out.println(c.node(1, 1).query("SELECT count() FROM x.samples_local") + " " + c.node(1, 1).query("SELECT count() FROM x.series_local"));
            a.close();
            System.out.println("closed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        System.out.println("all closed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
