package io.continuo.store.clickhouse;

import io.continuo.store.StoreException;
import io.continuo.store.TimeSeries;
import io.continuo.store.WriteBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.continuo.store.ProfileStoreContract.HOUR;
import static io.continuo.store.ProfileStoreContract.T0;
import static io.continuo.store.ProfileStoreContract.app;
import static io.continuo.store.ProfileStoreContract.q;
import static io.continuo.store.TestProfiles.batch;
import static io.continuo.store.TestProfiles.collapsed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Scale-out on a real cluster: ZooKeeper and 2 shards × 2 replicas of clickhouse-server 18.16 on this machine, two
 * stateless stores in front. Concurrent uploads through both while one replica is killed (SIGKILL) and restarted;
 * then every acknowledged upload is stored exactly once, both shards hold data, the restarted replica caught up, and
 * both stores give the same answers. Losing a whole shard: queries answer the rest and say so, and uploads for that
 * shard fail instead of being acknowledged.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClickHouseClusterTest {
    private static final String DB = "continuo_cluster";
    private static ClickHouseCluster cluster;
    private static final List<ClickHouseProfileStore> stores = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        long t0 = System.nanoTime();
        cluster = ClickHouseCluster.start(2, 2);
        System.out.println("cluster test: 4 nodes and ZooKeeper up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    @AfterAll
    static void stopCluster() {
        long t0 = System.nanoTime();
        stores.forEach(ClickHouseProfileStore::close);
        long t1 = System.nanoTime();
        if (cluster != null) {
            cluster.close();
        }
        System.out.println("cluster test: stores closed in " + (t1 - t0) / 1_000_000 + " ms, cluster in "
                + (System.nanoTime() - t1) / 1_000_000 + " ms");
    }

    private static ClickHouseProfileStore store(String urls) {
        ClickHouseProfileStore s = ClickHouseProfileStore.open(ClickHouseConfig.builder(urls)
                .cluster(ClickHouseCluster.NAME).database(DB).build());
        synchronized (stores) {
            stores.add(s);
        }
        return s;
    }

    /** The upload number k: its own timestamp, one of 8 instances, stacks repeating across uploads. */
    private static WriteBatch upload(int k) {
        return batch("default", T0 + k * 1_000L, app("i" + k % 8), "main;work;parse " + (1 + k % 5),
                "main;work 2", "main;idle 1");
    }

    private static void expect(int k, Map<String, Long> flame, long[] total) {
        collapsed("main;work;parse " + (1 + k % 5), "main;work 2", "main;idle 1")
                .forEach((stack, v) -> flame.merge(stack, v, Long::sum));
        total[0] += 1 + k % 5 + 3;
    }

    @Test
    void acknowledgedUploadsAreStoredExactlyOnceThroughAReplicaCrash() throws Exception {
        // Two servers create the schema at the same time, each preferring other nodes.
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<ClickHouseCluster.Node> nodes = cluster.nodes();
        Future<ClickHouseProfileStore> fa = pool.submit(() -> store(cluster.urls()));
        Future<ClickHouseProfileStore> fb = pool.submit(() -> store(String.join(",",
                nodes.get(3).url(), nodes.get(2).url(), nodes.get(1).url(), nodes.get(0).url())));
        ClickHouseProfileStore a = fa.get();
        ClickHouseProfileStore b = fb.get();

        int uploads = 240;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            ClickHouseProfileStore s = w % 2 == 0 ? a : b;
            writers.add(pool.submit(() -> {
                for (int k = next.getAndIncrement(); k < uploads; k = next.getAndIncrement()) {
                    // A client retries what was not acknowledged, as agents retry a 503.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (true) {
                        try {
                            s.write(upload(k));
                            acknowledged.incrementAndGet();
                            break;
                        } catch (StoreException e) {
                            retries.incrementAndGet();
                            if (System.nanoTime() > deadline) {
                                throw e;
                            }
                            Thread.sleep(200);
                        }
                    }
                }
                return null;
            }));
        }
        ClickHouseCluster.Node victim = cluster.node(1, 1);
        awaitCondition(() -> acknowledged.get() >= uploads / 4, "a quarter of the uploads acknowledged");
        victim.kill();
        int atKill = acknowledged.get();
        awaitCondition(() -> acknowledged.get() >= Math.min(uploads, atKill + uploads / 4),
                "uploads acknowledged while a replica is down");
        victim.restart();
        for (Future<?> f : writers) {
            f.get();
        }
        pool.shutdown();
        assertThat(acknowledged.get()).isEqualTo(uploads);

        Map<String, Long> flame = new TreeMap<>();
        long[] total = {0};
        for (int k = 0; k < uploads; k++) {
            expect(k, flame, total);
        }
        long from = T0;
        long until = T0 + HOUR;
        // Replicas copy parts asynchronously: first the restarted replica catches up with its peer, then every read
        // (whichever replica answers) must give the exact answer at once.
        // Sums are what merges keep: each replica of each shard must hold the whole of its shard.
        for (String table : List.of("samples_local", "totals_local", "samples_1m_local", "samples_1h_local")) {
            for (int replica = 1; replica <= 2; replica++) {
                ClickHouseCluster.Node s1 = cluster.node(1, replica);
                ClickHouseCluster.Node s2 = cluster.node(2, replica);
                awaitCondition(() -> sum(s1, table) + sum(s2, table) == total[0],
                        "replica " + replica + " of each shard has every row of " + table);
            }
        }
        for (ClickHouseProfileStore s : List.of(a, b)) {
            // whole hour (hourly rollup), and a range cut inside minutes (raw rows and minute rollups)
            assertThat(collapsed(s.flameGraph(q("", from, until)))).isEqualTo(flame);
            assertThat(s.flameGraph(q("", T0 + 500, until)).total()).as("all but upload 0")
                    .isEqualTo(total[0] - (1 + 3));
            List<TimeSeries> series = s.totals(q("", from, until), HOUR, List.of());
            assertThat(series).hasSize(1);
            assertThat(series.get(0).values()).containsExactly((double) total[0]);
            assertThat(s.stats().sampleRows()).as("each acknowledged upload's 3 rows, once").isEqualTo(3L * uploads);
            assertThat(s.unavailable()).isEmpty();
        }
        // A client that lost an acknowledgement sends the upload again, to the other server: stored once still.
        for (int k = 0; k < 10; k++) {
            (k % 2 == 0 ? b : a).write(upload(k));
        }
        for (ClickHouseProfileStore s : List.of(a, b)) {
            assertThat(s.stats().sampleRows()).isEqualTo(3L * uploads);
            assertThat(s.totals(q("", from, until), HOUR, List.of()).get(0).values())
                    .containsExactly((double) total[0]);
            assertThat(collapsed(s.flameGraph(q("", from, until)))).isEqualTo(flame);
        }
        // Both shards hold data; the restarted replica caught up with its peer.
        for (int shard = 1; shard <= 2; shard++) {
            assertThat(Long.parseLong(cluster.node(shard, 2).query("SELECT count() FROM " + DB + ".samples_local")))
                    .as("rows on shard %d", shard).isPositive();
        }
        long shard1 = Long.parseLong(victim.query("SELECT sum(value) FROM " + DB + ".totals_local"));
        assertThat(shard1).isEqualTo(Long.parseLong(victim.query("SELECT sum(value) FROM " + DB + ".samples_local")));
        System.out.println("cluster test: " + uploads + " uploads, " + retries.get() + " retried writes");

        // A whole shard down: answers hold what the other shard has and say they are partial; uploads for the dead
        // shard fail rather than being acknowledged, uploads for the live shard go on.
        ClickHouseTopologyCheck check = new ClickHouseTopologyCheck(a);
        cluster.node(2, 1).kill();
        cluster.node(2, 2).kill();
        awaitCondition(() -> !a.unavailable().isEmpty(), "the store notices shard 2 is down");
        assertThat(a.unavailable()).containsExactly("ClickHouse shard 2 of cluster " + ClickHouseCluster.NAME);
        long partial = a.flameGraph(q("", from, until)).total();
        assertThat(partial).isEqualTo(shard1);
        assertThat(a.totals(q("", from, until), HOUR, List.of()).get(0).values()).containsExactly((double) shard1);
        int onShard2 = check.instanceOnShard(1);
        int onShard1 = check.instanceOnShard(0);
        assertThatThrownBy(() -> a.write(batch("default", T0 + 2 * HOUR, app("i" + onShard2), "late 1")))
                .isInstanceOf(StoreException.class);
        a.write(batch("default", T0 + 2 * HOUR, app("i" + onShard1), "late 1"));
        cluster.node(2, 1).restart();
        cluster.node(2, 2).restart();
        awaitCondition(() -> a.unavailable().isEmpty(), "shard 2 is back");
        // The store's probe reaches the restarted replicas before the node that runs the Distributed query has
        // reconnected to them (or before their tables have loaded): for that moment ClickHouse still skips the shard
        // (skip_unavailable_shards). Seen once on a loaded machine; docs/storage.md names the window.
        awaitCondition(() -> a.flameGraph(q("", from, until)).total() == total[0], "answers whole again");
        assertThat(b.flameGraph(q("", T0 + 2 * HOUR, T0 + 3 * HOUR)).total()).isEqualTo(1);

        // Retention on a cluster drops the local tables' partitions on every shard (the data is years old).
        a.runMaintenance();
        awaitCondition(() -> a.stats().sampleRows() == 0 && b.flameGraph(q("", from, until)).total() == 0,
                "retention removed the old rows on every shard");
    }

    /** Which instance labels land on which shard, by the store's own arithmetic. */
    private record ClickHouseTopologyCheck(ClickHouseProfileStore store) {
        int instanceOnShard(int shardIndex) {
            ClusterTopology t = store.topology();
            for (int i = 0; i < 1000; i++) {
                long id = SeriesIndex.seriesId("default", "cpu", app("i" + i));
                if (t.shardOf(id) == shardIndex) {
                    return i;
                }
            }
            throw new AssertionError("no instance maps to shard index " + shardIndex);
        }
    }

    private static long sum(ClickHouseCluster.Node node, String table) throws Exception {
        return Long.parseLong(node.query("SELECT sum(value) FROM " + DB + "." + table));
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitCondition(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }
}
