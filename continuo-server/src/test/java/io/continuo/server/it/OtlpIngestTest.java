package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.continuo.formats.otlp.proto.profiles.v1development.Profile;
import io.continuo.formats.otlp.proto.profiles.v1development.Sample;
import io.continuo.server.ServerConfig;
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
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static io.continuo.server.it.OtlpRequests.PERIOD;
import static io.continuo.server.it.OtlpRequests.sample;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * OTLP/HTTP profiles against a real server: what the eBPF profiler and a Collector's otlphttp exporter send,
 * read back through the query API; OTLP's answers (response message, partial success, Status bodies); hostile
 * input refused with a 4xx that names the problem while the server stays healthy and earlier data intact.
 */
class OtlpIngestTest {
    private static final String PATH = "/v1development/profiles";
    private static final Map<String, String> PROTOBUF = Map.of("Content-Type", "application/x-protobuf");
    private static final String RANGE = "&from=now-1h&until=now%2B1h";

    @TempDir
    static Path dataDir;
    static TestServer server;
    static long checkoutTotal;

    @BeforeAll
    static void start() {
        server = new TestServer(ServerConfig.defaults().withDataDir(dataDir).withSelfProfile(false)
                .withLimits(4L << 20, 16L << 20));
        long now = System.currentTimeMillis();
        OtlpRequests r = new OtlpRequests();
        int sha = r.stack("crypto/sha256.block", "checkout.Handle", "main.main");
        int charge = r.stack("payments.Charge", "main.main");
        int checkout = r.attribute("service.name", "checkout");
        int payments = r.attribute("service.name", "payments");
        int thread = r.attribute("thread.name", "worker-17");
        r.resource(Map.of("host.name", "node-1", "deployment.environment.name", "prod"), r.cpuProfile(now)
                .addSamples(sample(sha, 6, checkout, thread))
                .addSamples(sample(charge, 4, payments)));
        TestServer.Response response = server.post(PATH, r.bytes(), PROTOBUF);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        checkoutTotal = total("checkout");
    }

    @AfterAll
    static void stop() {
        // every request above left the server healthy with the first upload intact
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        assertThat(total("checkout")).isEqualTo(checkoutTotal);
        server.close();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode flame(String service) {
        TestServer.Response r = server.get("/api/v1/query/flamegraph?type=cpu&query=" + enc("{service=\"" + service + "\"}") + RANGE);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static long total(String service) {
        return flame(service).path("total").asLong();
    }

    @Test
    void ebpfHostRequestIsStoredPerServiceAsCpuNanoseconds() {
        assertThat(checkoutTotal).isEqualTo(6 * PERIOD);
        assertThat(total("payments")).isEqualTo(4 * PERIOD);
        JsonNode top = server.get("/api/v1/query/top?type=cpu&sort=self&limit=1&query=" + enc("{service=\"checkout\"}") + RANGE).json();
        assertThat(top.path("functions").get(0).path("name").asText()).isEqualTo("crypto/sha256.block");
        assertThat(top.path("functions").get(0).path("self").asLong()).isEqualTo(6 * PERIOD);
        assertThat(server.get("/api/v1/label/instance/values?query=" + enc("{service=\"checkout\"}") + RANGE).json()
                .path("values").toString()).contains("node-1");
        assertThat(server.get("/api/v1/label/env/values?query=" + enc("{service=\"payments\"}") + RANGE).json()
                .path("values").toString()).contains("prod");
        // thread names lose their numbers, as for every ingest path
        assertThat(server.get("/api/v1/label/thread/values?query=" + enc("{service=\"checkout\"}") + RANGE).json()
                .path("values").toString()).contains("worker-#");
        JsonNode types = server.get("/api/v1/types?query=" + enc("{service=\"checkout\"}") + RANGE).json();
        assertThat(types.path("types").toString()).contains("\"cpu\"").doesNotContain("samples");
    }

    @Test
    void gzipBodiesAreAcceptedAndTheResponseIsAnExportResponse() throws IOException {
        OtlpRequests r = new OtlpRequests();
        int stack = r.stack("db.Query", "main");
        r.resource(Map.of("service.name", "gzipped", "service.version", "1.2.3"),
                r.cpuProfile(System.currentTimeMillis()).addSamples(sample(stack, 3)));
        TestServer.Response response = server.post(PATH, gzip(r.bytes()),
                Map.of("Content-Type", "application/x-protobuf", "Content-Encoding", "gzip"));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        ExportProfilesServiceResponse parsed = ExportProfilesServiceResponse.parseFrom(response.body());
        assertThat(parsed.hasPartialSuccess()).isFalse();
        assertThat(total("gzipped")).isEqualTo(3 * PERIOD);
        assertThat(server.get("/api/v1/label/version/values?query=" + enc("{service=\"gzipped\"}") + RANGE).json()
                .path("values").toString()).contains("1.2.3");
        String metrics = server.get("/metrics").text();
        assertThat(metrics).contains("continuo_ingest_requests_total{api=\"otlp\"}");
    }

    @Test
    void refusedProfilesAreNamedInPartialSuccessWhileTheRestIsStored() throws IOException {
        OtlpRequests r = new OtlpRequests();
        int stack = r.stack("ok.work");
        Profile.Builder typeless = Profile.newBuilder().addSamples(Sample.newBuilder().setStackIndex(stack).addValues(1));
        r.resource(Map.of("service.name", "partial"), typeless, r.cpuProfile(System.currentTimeMillis()).addSamples(sample(stack, 2)));
        r.resource(Map.of("service.name", "x".repeat(2000)), r.cpuProfile(System.currentTimeMillis()).addSamples(sample(stack, 1)));
        TestServer.Response response = server.post(PATH, r.bytes(), PROTOBUF);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        ExportProfilesServiceResponse parsed = ExportProfilesServiceResponse.parseFrom(response.body());
        assertThat(parsed.getPartialSuccess().getRejectedProfiles()).isEqualTo(2);
        assertThat(parsed.getPartialSuccess().getErrorMessage()).contains("profile has no sample_type", "label value too long");
        assertThat(total("partial")).isEqualTo(2 * PERIOD);
    }

    @Test
    void aRequestWithNothingToStoreSaysSoInPartialSuccess() throws IOException {
        OtlpRequests r = new OtlpRequests();
        int stack = r.stack("idle.work");
        r.resource(Map.of("service.name", "idle"), r.cpuProfile(System.currentTimeMillis())
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(0)));
        TestServer.Response response = server.post(PATH, r.bytes(), PROTOBUF);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        ExportProfilesServiceResponse parsed = ExportProfilesServiceResponse.parseFrom(response.body());
        assertThat(parsed.getPartialSuccess().getErrorMessage()).contains("no samples", "nothing was stored");
        assertThat(server.get("/metrics").text()).contains("continuo_ingest_rejected_total{reason=\"no_samples\"}");
    }

    @Test
    void otlpJsonIsDecodedLikeProtobufAndAnsweredInJson() {
        long timeNanos = (System.currentTimeMillis() - 5_000) * 1_000_000L;
        String json = """
                {"resourceProfiles":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-app"}}]},
                  "scopeProfiles":[{"scope":{"name":"ebpf-profiler"},"profiles":[{
                    "sampleType":{"typeStrindex":1,"unitStrindex":2},"periodType":{"typeStrindex":3,"unitStrindex":4},
                    "period":"50000000","timeUnixNano":"%d","durationNano":"5000000000",
                    "samples":[{"stackIndex":1,"timestampsUnixNano":["1","2","3"],"linkIndex":1,"attributeIndices":[1]}]}]}]}],
                 "dictionary":{"stringTable":["","samples","count","cpu","nanoseconds","json.Leaf","json.main","thread.name"],
                   "mappingTable":[{}],
                   "locationTable":[{},{"lines":[{"functionIndex":1,"line":"12"}]},{"lines":[{"functionIndex":2}]}],
                   "functionTable":[{},{"nameStrindex":5},{"nameStrindex":6}],
                   "stackTable":[{},{"locationIndices":[1,2]}],
                   "linkTable":[{},{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}],
                   "attributeTable":[{},{"keyStrindex":7,"value":{"stringValue":"json-worker"}}]}}
                """.formatted(timeNanos);
        TestServer.Response r = server.post(PATH, json.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().has("partialSuccess")).isFalse();
        assertThat(total("json-app")).isEqualTo(3 * PERIOD);
        JsonNode top = server.get("/api/v1/query/top?type=cpu&sort=self&limit=1&query=" + enc("{service=\"json-app\"}") + RANGE).json();
        assertThat(top.path("functions").get(0).path("name").asText()).isEqualTo("json.Leaf");
        assertThat(server.get("/api/v1/label/thread/values?query=" + enc("{service=\"json-app\"}") + RANGE).json()
                .path("values").toString()).contains("json-worker");

        TestServer.Response broken = server.post(PATH, "{\"resourceProfiles\":[{".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().path("code").asInt()).isEqualTo(3); // INVALID_ARGUMENT
        assertThat(broken.json().path("message").asText()).contains("invalid OTLP/JSON");

        String nested = "{\"arrayValue\":{\"values\":[".repeat(15) + "]}}".repeat(15);
        String deep = "{\"resourceProfiles\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":" + nested + "}]}}]}";
        TestServer.Response tooDeep = server.post(PATH, deep.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
        assertThat(tooDeep.status()).isEqualTo(400);
        assertThat(tooDeep.json().path("message").asText()).contains("nested deeper than 32 levels");
    }

    @Test
    void unknownMediaTypesAndEncodingsAre415WithAMessage() {
        TestServer.Response text = server.post(PATH, "x".getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "text/plain"));
        assertThat(text.status()).isEqualTo(415);
        assertThat(statusMessage(text)).contains("unsupported Content-Type 'text/plain'", "application/x-protobuf");
        TestServer.Response zstd = server.post(PATH, new byte[]{1}, Map.of("Content-Type", "application/x-protobuf", "Content-Encoding", "zstd"));
        assertThat(zstd.status()).isEqualTo(415);
        assertThat(statusMessage(zstd)).contains("Content-Encoding 'zstd'");
    }

    @Test
    void brokenAndHostileBodiesAre4xxNamingTheProblem() throws IOException {
        OtlpRequests r = new OtlpRequests();
        int stack = r.stack("f", "g");
        r.resource(Map.of("service.name", "broken"), r.cpuProfile(System.currentTimeMillis()).addSamples(sample(stack, 3)));
        byte[] whole = r.bytes();

        TestServer.Response truncated = server.post(PATH, Arrays.copyOf(whole, whole.length - 7), PROTOBUF);
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(statusMessage(truncated)).startsWith("otlp: ").contains("at offset");

        byte[] hugeLength = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x01, 0x02};
        TestServer.Response huge = server.post(PATH, hugeLength, PROTOBUF);
        assertThat(huge.status()).isEqualTo(400);
        assertThat(statusMessage(huge)).contains("declared length 2147483647");

        OtlpRequests outside = new OtlpRequests();
        outside.resource(Map.of("service.name", "broken"), outside.cpuProfile(System.currentTimeMillis()).addSamples(sample(42, 1)));
        TestServer.Response badIndex = server.post(PATH, outside.bytes(), PROTOBUF);
        assertThat(badIndex.status()).isEqualTo(400);
        assertThat(statusMessage(badIndex)).contains("stack_table[42]");

        OtlpRequests deep = new OtlpRequests();
        deep.stack("recurse"); // its one location is location_table[1]
        int[] locations = new int[10_000];
        Arrays.fill(locations, 1);
        int deepStack = deep.rawStack(locations);
        deep.resource(Map.of("service.name", "broken"), deep.cpuProfile(System.currentTimeMillis()).addSamples(sample(deepStack, 1)));
        TestServer.Response tooDeep = server.post(PATH, deep.bytes(), PROTOBUF);
        assertThat(tooDeep.status()).isEqualTo(400);
        assertThat(statusMessage(tooDeep)).contains("deeper than maxStackDepth");

        TestServer.Response bomb = server.post(PATH, gzip(new byte[64 << 20]),
                Map.of("Content-Type", "application/x-protobuf", "Content-Encoding", "gzip"));
        assertThat(bomb.status()).isEqualTo(413);
        assertThat(statusMessage(bomb)).contains("exceeds maxDecompressedBytes");

        assertThat(flame("broken").path("total").asLong()).isZero();
        assertThat(server.get("/metrics").text()).contains("continuo_ingest_rejected_total{reason=\"otlp\"}");
    }

    @Test
    void apiKeysAndTenantsApplyAsOnEveryIngestPath(@TempDir Path keyedDir) {
        try (TestServer keyed = new TestServer(ServerConfig.defaults().withDataDir(keyedDir).withSelfProfile(false)
                .withApiKeys(Map.of("team-a-key", "team-a")))) {
            OtlpRequests r = new OtlpRequests();
            int stack = r.stack("tenant.work");
            r.resource(Map.of("service.name", "tenanted"), r.cpuProfile(System.currentTimeMillis()).addSamples(sample(stack, 1)));
            byte[] body = r.bytes();
            TestServer.Response anonymous = keyed.post(PATH, body, PROTOBUF);
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(statusMessage(anonymous)).contains("missing API key");
            TestServer.Response otherTenant = keyed.post(PATH, body, Map.of("Content-Type", "application/x-protobuf",
                    "Authorization", "Bearer team-a-key", "X-Scope-OrgID", "team-b"));
            assertThat(otherTenant.status()).isEqualTo(403);
            TestServer.Response ok = keyed.post(PATH, body, Map.of("Content-Type", "application/x-protobuf", "Authorization", "Bearer team-a-key"));
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            JsonNode fg = keyed.get("/api/v1/query/flamegraph?type=cpu&query=" + enc("{service=\"tenanted\"}") + RANGE,
                    Map.of("Authorization", "Bearer team-a-key")).json();
            assertThat(fg.path("total").asLong()).isEqualTo(PERIOD);
        }
    }

    /** The message of the google.rpc.Status body OTLP/HTTP answers errors with. */
    private static String statusMessage(TestServer.Response r) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(r.body());
            String message = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(tag) == 2) {
                    message = in.readString();
                } else {
                    in.skipField(tag);
                }
            }
            assertThat(message).as("Status message in " + r).isNotNull();
            return message;
        } catch (IOException e) {
            throw new AssertionError("not a google.rpc.Status: " + r, e);
        }
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }
}
