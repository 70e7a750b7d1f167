package io.continuo.server.it;

import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A 2xx means durable: kill -9 right after the response loses nothing. */
class DurabilityTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @Test
    void acknowledgedUploadsSurviveKillMinus9() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        byte[] pprof = TestData.bytes("go119.cpu.pb.gz");
        int uploads = 5;
        try (ChildServer child = ChildServer.start(dataDir, logs.resolve("server.log"))) {
            for (int i = 0; i < uploads; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(child.base()
                                + "/api/v1/ingest?service=durable&format=pprof&upload=" + i))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(pprof)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            child.kill();
        }
        try (TestServer reopened = new TestServer(dataDir)) {
            TestServer.Response r = reopened.get("/api/v1/query/flamegraph?type=cpu&from=now-1h&until=now%2B1m"
                    + "&query=%7Bservice%3D%22durable%22%7D");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("total").asLong() / 10_000_000).isEqualTo(322L * uploads);
            assertThat(reopened.get("/api/v1/label/upload/values?from=now-1h&until=now%2B1m").json().path("values")).hasSize(uploads);
        }
    }
}
