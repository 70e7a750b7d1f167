package io.continuo.server.pyroscope;

import com.google.protobuf.Message;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import io.continuo.server.pyroscope.ConnectClient.Encoding;
import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.server.pyroscope.proto.TypesProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Broken and hostile requests on every Pyroscope route, seeded: each gets a 4xx (or an answer), never a 5xx, and
 * the server still serves the data it had afterwards.
 */
class PyroscopeBadInputTest {
    static final String CPU = PyroscopeQueryApiTest.CPU;
    static final Set<Integer> ACCEPTABLE = Set.of(200, 400, 413, 415, 429, 501);
    static final long NOW = System.currentTimeMillis();

    @TempDir
    static Path dataDir;
    static TestServer server;
    static ConnectClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(dataDir);
        client = new ConnectClient(server.base());
        long s = NOW / 1000;
        assertThat(server.post("/api/v1/ingest?service=shopgen&format=pprof&from=" + (s - 60) + "&until=" + (s - 50),
                TestData.bytes("go119.cpu.pb.gz")).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final Map<String, Message> VALID = Map.of(
            "ProfileTypes", QuerierProto.ProfileTypesRequest.newBuilder().setStart(NOW - 3_600_000).setEnd(NOW).build(),
            "LabelNames", TypesProto.LabelNamesRequest.newBuilder().addMatchers("{service_name=\"shopgen\"}").build(),
            "LabelValues", TypesProto.LabelValuesRequest.newBuilder().setName("service_name").addMatchers("{}").build(),
            "Series", QuerierProto.SeriesRequest.newBuilder().addLabelNames("service_name").build(),
            "SelectMergeStacktraces", QuerierProto.SelectMergeStacktracesRequest.newBuilder().setProfileTypeID(CPU)
                    .setLabelSelector("{service_name=\"shopgen\"}").setMaxNodes(50).build(),
            "SelectSeries", QuerierProto.SelectSeriesRequest.newBuilder().setProfileTypeID(CPU).setStep(60)
                    .addGroupBy("service_name").build(),
            "SelectMergeProfile", QuerierProto.SelectMergeProfileRequest.newBuilder().setProfileTypeID(CPU).build(),
            "SelectMergeSpanProfile", QuerierProto.SelectMergeSpanProfileRequest.newBuilder().setProfileTypeID(CPU)
                    .addSpanSelector("00f067aa0ba902b7").build(),
            "Diff", QuerierProto.DiffRequest.newBuilder()
                    .setLeft(QuerierProto.SelectMergeStacktracesRequest.newBuilder().setProfileTypeID(CPU))
                    .setRight(QuerierProto.SelectMergeStacktracesRequest.newBuilder().setProfileTypeID(CPU)).build());

    @Test
    void mutatedRequestsNeverFailTheServer() {
        Random random = new Random(20261202L);
        for (Map.Entry<String, Message> e : VALID.entrySet()) {
            String path = PyroscopeApi.QUERIER + e.getKey();
            for (Encoding enc : Encoding.values()) {
                byte[] valid = ConnectClient.encode(e.getValue(), enc);
                String type = enc == Encoding.JSON ? "application/json" : "application/proto";
                assertThat(client.raw(path, valid, type).status()).as(path + " " + enc).isEqualTo(200);
                for (int i = 0; i < 25; i++) {
                    byte[] body = valid.clone();
                    int flips = 1 + random.nextInt(4);
                    for (int f = 0; f < flips && body.length > 0; f++) {
                        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                    }
                    if (random.nextInt(4) == 0) {
                        body = java.util.Arrays.copyOf(body, random.nextInt(body.length + 1));
                    }
                    ConnectClient.Raw r = client.raw(path, body, type);
                    assertThat(r.status()).as(path + " " + enc + " " + r.text()).isIn(ACCEPTABLE);
                    if (r.status() != 200) {
                        assertThat(r.text()).as(path).contains("\"code\":\"", "\"message\":\"");
                    }
                }
            }
        }
    }

    @Test
    void hostileValuesAreRefusedWithReasons() {
        List<String> bodies = List.of(
                "{\"profileTypeID\":\"" + CPU + "\",\"labelSelector\":\"{service_name=~\\\"(\\\"}\"}",
                "{\"profileTypeID\":\"" + CPU + "\",\"start\":\"9223372036854775807\",\"end\":\"1\"}",
                "{\"profileTypeID\":\"" + CPU + "\",\"maxNodes\":\"-5\"}",
                "{\"profileTypeID\":\"" + CPU + "\",\"maxNodes\":\"9223372036854775807\"}",
                "{\"profileTypeID\":\"a:b:c:d:e\"}",
                "{\"profileTypeID\":\"::::\"}",
                "{\"profileTypeID\":\"" + CPU + "\",\"format\":\"PROFILE_FORMAT_TREE\"}",
                "{\"profileTypeID\":\"" + CPU + "\",\"profileIdSelector\":[\"x\"]}",
                "{\"profileTypeID\":\"" + CPU + "\",\"stackTraceSelector\":{\"callSite\":[{\"name\":\"main.main\"}]}}",
                "{\"profileTypeID\":\"" + "x".repeat(100_000) + "\"}",
                "[" .repeat(5000) + "]".repeat(5000),
                "{\"labelSelector\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3001));
        for (String body : bodies) {
            ConnectClient.Raw r = client.raw(PyroscopeApi.QUERIER + "SelectMergeStacktraces", body.getBytes(StandardCharsets.UTF_8), "application/json");
            assertThat(r.status()).as(body.substring(0, Math.min(80, body.length())) + " → " + r.text()).isIn(ACCEPTABLE);
        }
        ConnectClient.Raw tinyStep = client.raw(PyroscopeApi.QUERIER + "SelectSeries",
                ("{\"profileTypeID\":\"" + CPU + "\",\"step\":0.001,\"start\":\"1\",\"end\":\"" + NOW + "\"}").getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(tinyStep.status()).isEqualTo(400);
        assertThat(tinyStep.text()).contains("invalid_argument", "points");
        ConnectClient.Raw noStep = client.raw(PyroscopeApi.QUERIER + "SelectSeries",
                ("{\"profileTypeID\":\"" + CPU + "\"}").getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(noStep.text()).contains("invalid_argument", "step");
        ConnectClient.Raw bomb = new ConnectClient(server.base()).gzipRequests(true).raw(PyroscopeApi.QUERIER + "ProfileTypes",
                new byte[64 * 1024 * 1024], "application/proto");
        assertThat(bomb.status()).isIn(413, 429);
        for (String q : List.of("/pyroscope/render?query=%7B", "/pyroscope/render?query=shopgen.cpu&from=yesterday",
                "/pyroscope/render?query=shopgen.cpu&max-nodes=x", "/pyroscope/render?query=shopgen.cpu&format=pprof",
                "/pyroscope/render-diff?leftQuery=shopgen.cpu&rightQuery=shopgen.alloc_space",
                "/pyroscope/label-values?label=version&query=%7Bx%3D")) {
            assertThat(server.get(q).status()).as(q).isEqualTo(400);
        }
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        assertThat(client.call(PyroscopeApi.QUERIER + "SelectMergeStacktraces", VALID.get("SelectMergeStacktraces"),
                QuerierProto.SelectMergeStacktracesResponse.getDefaultInstance(), Encoding.PROTO).getFlamegraph().getTotal())
                .isEqualTo(3_220_000_000L);
    }
}
