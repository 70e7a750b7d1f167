package io.continuo.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ContinuoServer;
import io.continuo.server.ServerConfig;
import io.continuo.store.ProfileStore;
import io.continuo.store.duckdb.DuckDbConfig;
import io.continuo.store.duckdb.DuckDbProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** #12's API consistency: stepMs beside step, one time-range rule, /api/v1/services in one store call. */
class ApiConsistencyTest {
    @TempDir
    Path dir;

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private ProfileStore counting(ProfileStore real) {
        return (ProfileStore) Proxy.newProxyInstance(ProfileStore.class.getClassLoader(), new Class<?>[]{ProfileStore.class},
                (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), n -> new AtomicInteger()).incrementAndGet();
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private HttpResponse<String> get(ContinuoServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void post(ContinuoServer s, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void apiConsistency() throws Exception {
        ServerConfig config = ServerConfig.defaults().toBuilder().selfProfile(false).dataDir(dir).port(0).build();
        ProfileStore store = counting(DuckDbProfileStore.open(DuckDbConfig.builder(dir).build()));
        try (ContinuoServer server = ContinuoServer.start(config, store)) {
            for (int i = 0; i < 5; i++) {
                post(server, "/api/v1/ingest?service=svc" + i + "&format=collapsed&type=cpu", "main;work 3\n");
            }
            post(server, "/api/v1/ingest?service=svc0&format=collapsed&type=alloc_bytes", "main;alloc 100\n");

            calls.clear();
            JsonNode services = Json.MAPPER.readTree(get(server, "/api/v1/services?from=now-1h").body()).path("services");
            assertThat(services).hasSize(5);
            assertThat(services.get(0).path("name").asText()).isEqualTo("svc0");
            assertThat(services.get(0).path("types").toString()).contains("alloc_bytes").contains("cpu");
            assertThat(services.get(1).path("types").toString()).contains("cpu").doesNotContain("alloc_bytes");
            assertThat(calls.getOrDefault("profileTypesBy", new AtomicInteger()).get()).isEqualTo(1);
            assertThat(calls.getOrDefault("profileTypes", new AtomicInteger()).get()).as("no store call per service").isZero();

            String q = "/api/v1/query/timeseries?query=%7Bservice%3D%22svc0%22%7D&from=now-1h";
            JsonNode byMs = Json.MAPPER.readTree(get(server, q + "&stepMs=60000").body());
            assertThat(byMs.path("stepMs").asLong()).isEqualTo(60_000);
            assertThat(byMs.path("step").asDouble()).isEqualTo(60.0);
            JsonNode legacy = Json.MAPPER.readTree(get(server, q + "&step=60").body());
            assertThat(legacy.path("stepMs").asLong()).isEqualTo(60_000);
            assertThat(legacy.path("series")).isEqualTo(byMs.path("series"));
            HttpResponse<String> both = get(server, q + "&step=60&stepMs=60000");
            assertThat(both.statusCode()).isEqualTo(400);
            assertThat(both.body()).contains("not both");
            assertThat(get(server, q + "&stepMs=-5").statusCode()).isEqualTo(400);
            assertThat(get(server, q + "&stepMs=abc").body()).contains("stepMs");

            // one range rule everywhere: the same message shape names the parameters
            assertThat(get(server, "/api/v1/query/flamegraph?from=now&until=now-1h").body()).contains("inverted time range: 'from'");
            assertThat(get(server, "/api/v1/query/trace?traceId=x&from=now&until=now-1h").body()).contains("inverted time range: 'from'");
            assertThat(get(server, "/api/v1/cost?from=now-1h&until=now-1h").body()).contains("inverted or empty time range: 'from'");
            assertThat(get(server, "/api/v1/cost?from=now-60d").body()).contains("time range too long");
        }
    }
}
