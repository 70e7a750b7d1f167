package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.Labels;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and broken input: a clear 4xx naming the problem, a healthy server, and earlier data intact. */
class BadInputTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static long goodTotal;
    static final String RANGE = "&from=now-1h&until=now%2B1m";

    @BeforeAll
    static void start() {
        server = new TestServer(ServerConfig.defaults().withDataDir(dataDir).withSelfProfile(false)
                .withLimits(4L << 20, 16L << 20));
        assertThat(server.post("/api/v1/ingest?service=good&format=pprof", TestData.bytes("go119.cpu.pb.gz")).status()).isEqualTo(200);
        goodTotal = total();
        assertThat(goodTotal).isPositive();
    }

    @AfterAll
    static void stop() {
        // every case above left the server healthy with the first upload intact
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        assertThat(total()).isEqualTo(goodTotal);
        server.close();
    }

    private static long total() {
        return server.get("/api/v1/query/flamegraph?type=cpu&query=%7Bservice%3D%22good%22%7D" + RANGE).json().path("total").asLong();
    }

    private static void assertError(TestServer.Response r, int status, String... fragments) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        JsonNode body = r.json();
        assertThat(body.path("error").asText()).as(r.toString()).contains(fragments);
    }

    @Test
    void truncatedPprof() {
        byte[] good = TestData.bytes("go119.cpu.pb.gz");
        assertError(server.post("/api/v1/ingest?service=bad&format=pprof", Arrays.copyOf(good, good.length / 2)), 422, "gzip");
    }

    @Test
    void corruptPprofInsideValidGzip() throws IOException {
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        assertError(server.post("/api/v1/ingest?service=bad&format=pprof", gzip(garbage)), 422, "pprof");
    }

    @Test
    void truncatedJfr() {
        byte[] jfr = TestData.bytes("jdk17-profile.jfr");
        assertThat(server.post("/api/v1/ingest?service=bad&format=jfr", Arrays.copyOf(jfr, 3000)).status()).isEqualTo(422);
    }

    @Test
    void decompressionBomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros);
            }
        }
        assertError(server.post("/api/v1/ingest?service=bad&format=pprof", out.toByteArray()), 413, "bomb");
    }

    @Test
    void bodyOverTheLimit() {
        assertThat(server.post("/api/v1/ingest?service=bad&format=pprof", new byte[5 << 20]).status()).isEqualTo(413);
    }

    @Test
    void tenThousandLabels() {
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
        Labels.Builder labels = Labels.builder();
        for (int i = 0; i < 10_000; i++) {
            labels.put("l" + i, "v");
        }
        b.addSample(new int[]{b.frame("main")}, 1, new long[]{1}, labels.build());
        TestServer.Response r = server.post("/api/v1/ingest?service=bad&format=pprof", PprofWriter.toBytes(b.build(), true));
        assertThat(r.status()).as(r.toString()).isBetween(400, 422);
        assertThat(r.json().path("error").asText()).contains("labels");
        // and as request parameters
        StringBuilder query = new StringBuilder("/api/v1/ingest?service=bad&format=collapsed");
        for (int i = 0; i < 200; i++) {
            query.append("&l").append(i).append("=v");
        }
        assertError(server.post(query.toString(), "a;b 1".getBytes(StandardCharsets.UTF_8)), 400, "too many labels");
    }

    @Test
    void oneMegabyteLabelValue() {
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
        b.addSample(new int[]{b.frame("main")}, 1, new long[]{1}, Labels.of("big", "x".repeat(1 << 20)));
        assertError(server.post("/api/v1/ingest?service=bad&format=pprof", PprofWriter.toBytes(b.build(), true)), 400, "label 'big'");
    }

    @Test
    void hundredThousandFrameStack() {
        String stack = String.join(";", java.util.Collections.nCopies(100_000, "f")) + " 1";
        assertError(server.post("/api/v1/ingest?service=bad&format=collapsed", stack.getBytes(StandardCharsets.UTF_8)), 422, "deep");
    }

    @Test
    void missingService() {
        assertError(server.post("/api/v1/ingest?format=collapsed", "a;b 1".getBytes(StandardCharsets.UTF_8)), 400, "service");
    }

    @Test
    void invalidSelector() {
        assertError(server.get("/api/v1/query/flamegraph?query=%7Bservice%3Dgood%7D"), 400, "position");
    }

    @Test
    void invertedTimeRange() {
        assertError(server.get("/api/v1/query/flamegraph?from=now&until=now-1h"), 400, "inverted");
        assertError(server.post("/api/v1/ingest?service=bad&format=collapsed&from=2000000000&until=1000000000",
                "a;b 1".getBytes(StandardCharsets.UTF_8)), 400, "inverted");
    }

    @Test
    void invalidParameters() {
        assertError(server.get("/api/v1/query/flamegraph?maxNodes=abc"), 400, "maxNodes");
        assertError(server.get("/api/v1/query/flamegraph?from=yesterday"), 400, "from");
        assertError(server.get("/api/v1/query/flamegraph?format=xml"), 400, "format");
        assertError(server.get("/api/v1/query/timeseries?step=1ms&from=now-7d"), 400, "step");
        assertError(server.post("/api/v1/ingest?service=bad&format=trie", new byte[]{1}), 422, "format");
        assertError(server.post("/ingest?name=%7Bbad", new byte[]{1}), 400, "name");
    }

    @Test
    void unknownRouteIsJson404() {
        TestServer.Response r = server.get("/api/v1/nothing-here");
        assertThat(r.status()).isEqualTo(404);
    }

    @Test
    void rejectionsAreCounted() {
        server.get("/api/v1/query/flamegraph?query=%7B");
        assertThat(server.get("/metrics").text()).contains("continuo_requests_rejected_total{status=\"400\"}");
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
