package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import io.continuo.store.clickhouse.ClickHouseCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two servers with {@code --storage clickhouse --clickhouse-cluster} on a real 2 × 2 cluster (the store's
 * {@link ClickHouseCluster}): what an HTTP client sees when a whole shard is lost. Queries answer 200 with what the
 * live shard holds and {@code "partial": true}; uploads whose series live on the dead shard get 503 and are not
 * stored; uploads for the live shard are acknowledged; once the shard returns, answers are whole again.
 * The store-level {@code ClickHouseClusterTest} covers concurrency, a replica crash and exactly-once storage.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClickHouseClusterServerTest {
    static final long NOW_SECONDS = System.currentTimeMillis() / 1000;
    static final String RANGE = "&from=" + (NOW_SECONDS - 3600) + "&until=" + (NOW_SECONDS + 60);
    static final int SERVICES = 8;

    @TempDir
    static Path dir;
    static ClickHouseCluster cluster;
    static TestServer first;
    static TestServer second;

    @BeforeAll
    static void start() throws Exception {
        cluster = ClickHouseCluster.start(2, 2);
        ServerConfig.Storage storage = ServerConfig.Storage.clickhouse(cluster.urls(), "continuo_it", "default", "")
                .withCluster(ClickHouseCluster.NAME);
        ServerConfig base = ServerConfig.defaults().withSelfProfile(false).withStorage(storage);
        first = new TestServer(base.withDataDir(dir.resolve("first")));
        second = new TestServer(base.withDataDir(dir.resolve("second")));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{first, second, cluster}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static int upload(TestServer server, int service, long secondsAgo) {
        String window = "&from=" + (NOW_SECONDS - secondsAgo) + "&until=" + (NOW_SECONDS - secondsAgo + 10);
        return server.post("/api/v1/ingest?service=s" + service + "&format=collapsed&type=cpu" + window,
                "main;work 60\nmain;idle 40\n".getBytes(StandardCharsets.UTF_8)).status();
    }

    private static JsonNode flameGraph(TestServer server, String selector) {
        TestServer.Response r = server.get("/api/v1/query/flamegraph?type=cpu&"
                + TestServer.query(Map.of("query", selector)) + RANGE);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void aLostShardMakesAnswersPartialAndItsUploadsFailWith503() throws Exception {
        for (int s = 0; s < SERVICES; s++) {
            assertThat(upload(s % 2 == 0 ? first : second, s, 300)).isEqualTo(200);
        }
        for (TestServer server : new TestServer[]{first, second}) {
            await(() -> flameGraph(server, "{}").path("total").asLong() == 100L * SERVICES, "every upload readable");
            assertThat(flameGraph(server, "{}").has("partial")).isFalse();
        }

        cluster.node(2, 1).kill();
        cluster.node(2, 2).kill();
        await(() -> flameGraph(first, "{}").path("partial").asBoolean(), "answers marked partial");
        JsonNode partial = flameGraph(first, "{}");
        assertThat(partial.path("total").asLong()).isBetween(100L, 100L * (SERVICES - 1));
        List<Integer> refused = new ArrayList<>();
        List<Integer> accepted = new ArrayList<>();
        for (int s = 0; s < SERVICES; s++) {
            int status = upload(second, s, 200);
            assertThat(status).as("service s%d", s).isIn(200, 503);
            (status == 200 ? accepted : refused).add(s);
        }
        assertThat(refused).as("services on the dead shard").isNotEmpty();
        assertThat(accepted).as("services on the live shard").isNotEmpty();

        cluster.node(2, 1).restart();
        cluster.node(2, 2).restart();
        await(() -> !flameGraph(second, "{}").path("partial").asBoolean(false)
                && flameGraph(second, "{}").path("total").asLong() == 100L * (SERVICES + accepted.size()),
                "whole answers again");
        for (int s = 0; s < SERVICES; s++) {
            // a 503 stored nothing; a 200 stored the upload once
            assertThat(flameGraph(first, "{service=\"s" + s + "\"}").path("total").asLong()).as("service s%d", s)
                    .isEqualTo(accepted.contains(s) ? 200 : 100);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }
}
