package io.continuo.server.http;

import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Queries have a deadline (--query-timeout) and hostile selectors cannot keep a core busy. */
class QueryDeadlineTest {
    @TempDir
    Path dir;

    @Test
    void aQueryPastItsDeadlineAnswers503WithTheReason() {
        // a deadline of one nanosecond has passed before the store is reached: deterministic, whatever the machine
        ServerConfig config = ServerConfig.defaults().toBuilder().selfProfile(false).dataDir(dir)
                .queryTimeout(Duration.ofNanos(1)).build();
        try (TestServer server = new TestServer(config)) {
            assertThat(server.post("/ingest?name=shop&format=folded", "main;work 5\n".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "text/plain")).status()).isEqualTo(200);
            for (String path : new String[]{"/api/v1/query/flamegraph", "/api/v1/query/timeseries", "/api/v1/query/top"}) {
                TestServer.Response r = server.get(path + "?query=%7Bservice%3D%22shop%22%7D&from=now-1h");
                assertThat(r.status()).as(path + ": " + r).isEqualTo(503);
                assertThat(r.json().path("error").asText()).contains("--query-timeout");
            }
            assertThat(server.get("/healthz").status()).isEqualTo(200);
        }
    }

    @Test
    void nestedQuantifierSelectorsAnswerPromptly() {
        ServerConfig config = ServerConfig.defaults().toBuilder().selfProfile(false).dataDir(dir).build();
        try (TestServer server = new TestServer(config)) {
            String value = "a".repeat(1000);
            assertThat(server.post("/ingest?name=shop%7Blv%3D" + value + "%7D&format=folded",
                    "main;work 5\n".getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "text/plain")).status())
                    .isEqualTo(200);
            String selector = URLEncoder.encode("{lv=~\"((a+)+)+b\"}", StandardCharsets.UTF_8);
            String matching = URLEncoder.encode("{lv=~\"((a+)+)+\"}", StandardCharsets.UTF_8);
            // java.util.regex needed ~2^1000 steps for this: it never answered
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                TestServer.Response none = server.get("/api/v1/query/flamegraph?query=" + selector + "&from=now-1h");
                assertThat(none.status()).as(none.toString()).isEqualTo(200);
                assertThat(none.json().path("total").asLong()).isZero();
                TestServer.Response some = server.get("/api/v1/query/flamegraph?query=" + matching + "&from=now-1h");
                assertThat(some.json().path("total").asLong()).isPositive();
            });
        }
    }
}
