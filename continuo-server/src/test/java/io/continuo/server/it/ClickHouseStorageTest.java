package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server on ClickHouse ({@code --storage clickhouse}): profiles go in through {@code POST /api/v1/ingest} and
 * come back from the flame-graph API, and a second server in front of the same database sees them too (the servers
 * are stateless). Starts its own clickhouse-server; skips without the binary unless CI=true.
 */
class ClickHouseStorageTest {
    static final Path BINARY = Path.of("/usr/sbin/clickhouse-server");
    static final long NOW_SECONDS = System.currentTimeMillis() / 1000;
    static final String RANGE = "&from=" + (NOW_SECONDS - 3600) + "&until=" + (NOW_SECONDS + 60);

    @TempDir
    static Path dir;
    static Process clickhouse;
    static TestServer first;
    static TestServer second;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String why = "needs " + BINARY + " (install it with: apt-get install clickhouse-server)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(why + "; CI=true, so its absence is a failure");
            }
            System.err.println("SKIPPED ClickHouseStorageTest: " + why);
            Assumptions.abort(why);
        }
        String url = startClickHouse();
        ServerConfig.Storage storage = ServerConfig.Storage.clickhouse(url, "server_it", "default", "");
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
    static void stop() throws InterruptedException {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        if (clickhouse != null) {
            // On SIGTERM ClickHouse waits out idle keep-alive connections (10 s); this instance's data is disposable.
            clickhouse.destroy();
            if (!clickhouse.waitFor(3, TimeUnit.SECONDS)) {
                clickhouse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
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

    private static String startClickHouse() throws IOException, InterruptedException {
        Path ch = Files.createDirectories(dir.resolve("clickhouse"));
        int http = freePort();
        int tcp = freePort();
        Files.writeString(ch.resolve("config.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><console>1</console></logger>
                  <http_port>%d</http_port>
                  <tcp_port>%d</tcp_port>
                  <listen_host>127.0.0.1</listen_host>
                  <path>%s/data/</path>
                  <tmp_path>%s/tmp/</tmp_path>
                  <user_files_path>%s/user_files/</user_files_path>
                  <users_config>users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <mark_cache_size>536870912</mark_cache_size>
                </yandex>
                """.formatted(http, tcp, ch, ch, ch));
        Files.writeString(ch.resolve("users.xml"), """
                <?xml version="1.0"?>
                <yandex>
                  <profiles><default/></profiles>
                  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
                  <quotas><default/></quotas>
                </yandex>
                """);
        clickhouse = new ProcessBuilder(BINARY.toString(), "--config-file=" + ch.resolve("config.xml"))
                .directory(ch.toFile()).redirectErrorStream(true).redirectOutput(ch.resolve("server.log").toFile())
                .start();
        String url = "http://127.0.0.1:" + http;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!clickhouse.isAlive()) {
                throw new IllegalStateException("clickhouse-server exited: " + Files.readString(ch.resolve("server.log")));
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/?query=SELECT%201"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return url;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("clickhouse-server did not answer SELECT 1 within 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
