package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import io.continuo.store.clickhouse.ClickHouseServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server on ClickHouse ({@code --storage clickhouse}): profiles go in through {@code POST /api/v1/ingest} and
 * come back from the flame-graph API, and a second server in front of the same database sees them too (the servers
 * are stateless). ClickHouse comes from the store's {@link ClickHouseServer} extension: one clickhouse-server per
 * run, skipped without the binary unless CI=true.
 */
@ExtendWith(ClickHouseServer.class)
class ClickHouseStorageTest {
    static final long NOW_SECONDS = System.currentTimeMillis() / 1000;
    static final String RANGE = "&from=" + (NOW_SECONDS - 3600) + "&until=" + (NOW_SECONDS + 60);

    @TempDir
    static Path dir;
    static TestServer first;
    static TestServer second;

    @BeforeAll
    static void start() {
        ServerConfig.Storage storage = ServerConfig.Storage.clickhouse(ClickHouseServer.url(),
                ClickHouseServer.freshDatabase("server_it"), "default", "");
        ServerConfig base = ServerConfig.defaults().withSelfProfile(false).withStorage(storage);
        first = new TestServer(base.withDataDir(dir.resolve("first")));
        second = new TestServer(base.withDataDir(dir.resolve("second")));
        String window = "&from=" + (NOW_SECONDS - 120) + "&until=" + (NOW_SECONDS - 110);
        assertThat(first.post("/api/v1/ingest?service=shopgen&format=pprof&version=1.0" + window,
                TestData.bytes("go119.cpu.pb.gz")).status()).isEqualTo(200);
        assertThat(second.post("/api/v1/ingest?service=shop%27s&format=collapsed&type=cpu&version=2.0" + window,
                "main;work;it's\\hot 600\nmain;idle 400\n".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    private static JsonNode flameGraph(TestServer server, String selector) {
        TestServer.Response r = server.get("/api/v1/query/flamegraph?type=cpu&"
                + TestServer.query(Map.of("query", selector)) + RANGE);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void pprofIngestedThroughHttpReadsBackEqualToGoToolPprof() {
        for (TestServer server : new TestServer[]{first, second}) {
            JsonNode fg = flameGraph(server, "{service=\"shopgen\",version=\"1.0\"}");
            // go tool pprof -top: "Total samples = 3.22s", as on the DuckDB engine (IngestAndQueryTest)
            assertThat(fg.path("total").asLong() / 10_000_000).isEqualTo(322);
            assertThat(fg.path("unit").asText()).isEqualTo("nanoseconds");
        }
    }

    @Test
    void collapsedIngestOnOneServerIsReadOnTheOtherWithQuotesIntact() {
        JsonNode fg = flameGraph(first, "{service=\"shop's\"}");
        assertThat(fg.path("total").asLong()).isEqualTo(1000);
        assertThat(fg.path("names").toString()).contains("it's\\\\hot");
        TestServer.Response values = first.get("/api/v1/label/service/values?" + RANGE.substring(1));
        assertThat(values.status()).as(values.toString()).isEqualTo(200);
        assertThat(values.text()).contains("shop's").contains("shopgen");
    }
}
