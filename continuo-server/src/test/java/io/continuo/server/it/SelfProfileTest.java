package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A fresh server shows real data: its own CPU profile and runtime metrics, as service continuo-server. */
class SelfProfileTest {
    @TempDir
    Path dataDir;

    @Test
    void freshServerProfilesItself() throws InterruptedException {
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dataDir)
                .selfProfileInterval(Duration.ofSeconds(2)).storeMemoryLimitBytes(256L << 20).build();
        try (TestServer server = new TestServer(config)) {
            String sel = "&query=%7Bservice%3D%22continuo-server%22%7D&from=now-5m&until=now%2B1m";
            long total = 0;
            for (int i = 0; i < 150 && total == 0; i++) {
                // keep the server busy so its CPU profile has samples
                server.get("/api/v1/labels?from=now-1h");
                total = server.get("/api/v1/query/flamegraph?type=cpu" + sel).json().path("total").asLong();
                Thread.sleep(100);
            }
            assertThat(total).isPositive();
            // metrics are stored right after the interval's profile: wait for them the same way
            JsonNode metrics = server.get("/api/v1/metrics/names?" + sel.substring(1)).json();
            for (int i = 0; i < 100 && !metrics.path("names").toString().contains("process_cpu_ratio"); i++) {
                Thread.sleep(100);
                metrics = server.get("/api/v1/metrics/names?" + sel.substring(1)).json();
            }
            assertThat(metrics.path("names").toString()).contains("heap_used_after_gc_bytes", "process_cpu_ratio");
            JsonNode heap = server.get("/api/v1/query/metric?name=live_threads&step=10s" + sel).json();
            assertThat(heap.path("series").get(0).path("points").get(0).get(1).asDouble()).isPositive();
        }
    }
}
