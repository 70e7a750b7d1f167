package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
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
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Replays the request shapes of Pyroscope's SDKs: name=app.cpu{...}, folded/lines, Go's multipart, Connect push. */
class PyroscopeCompatTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static final long NOW = System.currentTimeMillis() / 1000;
    static final String RANGE = "&from=now-1h&until=now%2B1h";

    @BeforeAll
    static void start() {
        server = new TestServer(dataDir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode flame(String type, String selector) {
        TestServer.Response r = server.get("/api/v1/query/flamegraph?type=" + type + "&query=" + enc(selector) + RANGE);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void foldedCpuCountsBecomeNanoseconds() {
        String body = "main;work;hash 30\nmain;idle 10\n";
        TestServer.Response r = server.post("/ingest?name=" + enc("folded-app.cpu{env=prod,region=eu}")
                + "&from=" + (NOW - 10) + "&until=" + NOW + "&sampleRate=100&spyName=rbspy&units=samples&aggregationType=sum&format=folded",
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode fg = flame("cpu", "{service=\"folded-app\",env=\"prod\",region=\"eu\"}");
        assertThat(fg.path("total").asLong()).isEqualTo(40 * 10_000_000L);
    }

    @Test
    void linesFormatCountsOnePerLine() {
        String body = "main;a\nmain;a\nmain;b\n";
        TestServer.Response r = server.post("/pyroscope/ingest?name=lines-app&sampleRate=100&format=lines&from=" + (NOW - 10)
                + "&until=" + NOW, body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(flame("cpu", "{service=\"lines-app\"}").path("total").asLong()).isEqualTo(3 * 10_000_000L);
    }

    @Test
    void goSdkMultipartWithNanosecondTimestamps() {
        String boundary = "b0undary42";
        byte[] pprof = TestData.bytes("go119.cpu.pb.gz");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n");
        body.writeBytes(pprof);
        write(body, "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"sample_type_config\"; filename=\"sample_type_config.json\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"
                + "{\"cpu\":{\"units\":\"nanoseconds\",\"sampled\":true},\"samples\":{\"units\":\"samples\",\"display-name\":\"cpu\"}}");
        write(body, "\r\n--" + boundary + "--\r\n");
        long fromNs = (NOW - 10) * 1_000_000_000L;
        long untilNs = NOW * 1_000_000_000L;
        TestServer.Response r = server.post("/ingest?name=" + enc("go-app.cpu{version=1.2.3}") + "&from=" + fromNs + "&until=" + untilNs
                        + "&spyName=gospy&sampleRate=100",
                body.toByteArray(), Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode fg = flame("cpu", "{service=\"go-app\",version=\"1.2.3\"}");
        assertThat(fg.path("total").asLong() / 10_000_000).isEqualTo(322);
        assertThat(fg.path("from").asLong()).isLessThanOrEqualTo(fromNs / 1_000_000);
    }

    @Test
    void rawJfrBodyFromJavaAgents() {
        TestServer.Response r = server.post("/ingest?name=java-app&format=jfr&sampleRate=100&spyName=javaspy&from=" + (NOW - 10)
                + "&until=" + NOW, TestData.bytes("jdk17-profile.jfr"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(flame("cpu", "{service=\"java-app\"}").path("total").asLong()).isPositive();
        assertThat(flame("alloc_bytes", "{service=\"java-app\"}").path("total").asLong()).isPositive();
    }

    @Test
    void connectPushWithProtobufAndJson() throws IOException {
        byte[] pprof = TestData.bytes("go119.cpu.pb.gz");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        ByteArrayOutputStream series = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(series);
        s.writeBytes(1, labelPair("__name__", "process_cpu"));
        s.writeBytes(1, labelPair("service_name", "python-app"));
        s.writeBytes(1, labelPair("env", "staging"));
        ByteArrayOutputStream sample = new ByteArrayOutputStream();
        CodedOutputStream sm = CodedOutputStream.newInstance(sample);
        sm.writeBytes(1, ByteString.copyFrom(pprof));
        sm.writeString(2, "6b9c1a4e-0000-0000-0000-000000000001");
        sm.flush();
        s.writeBytes(2, ByteString.copyFrom(sample.toByteArray()));
        s.flush();
        cos.writeBytes(1, ByteString.copyFrom(series.toByteArray()));
        cos.flush();
        TestServer.Response r = server.post("/push.v1.PusherService/Push", gzip(out.toByteArray()),
                Map.of("Content-Type", "application/proto", "Content-Encoding", "gzip"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);

        String json = "{\"series\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"process_cpu\"},{\"name\":\"service_name\",\"value\":\"rust-app\"}],"
                + "\"samples\":[{\"rawProfile\":\"" + Base64.getEncoder().encodeToString(pprof) + "\"}]}]}";
        TestServer.Response j = server.post("/push.v1.PusherService/Push", json.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));
        assertThat(j.status()).as(j.toString()).isEqualTo(200);
        // the push API keeps the profile's own timestamps (2023 for this file)
        JsonNode labels = server.get("/api/v1/label/service/values?from=0&until=now%2B1h").json();
        assertThat(labels.path("values").toString()).contains("python-app", "rust-app");
        JsonNode env = server.get("/api/v1/label/env/values?from=0&until=now%2B1h&query=" + enc("{service=\"python-app\"}")).json();
        assertThat(env.path("values").toString()).contains("staging");
    }

    @Test
    void undecodableProfileIs422AndBadNameIs400() {
        assertThat(server.post("/ingest?name=x.cpu&format=pprof", new byte[]{0x0a, (byte) 0xff, 0x01}).status()).isEqualTo(422);
        assertThat(server.post("/ingest?name=" + enc("x.cpu{broken"), new byte[]{1}).status()).isEqualTo(400);
        assertThat(server.post("/ingest", new byte[]{1}).status()).isEqualTo(400);
    }

    /** The Pyroscope Java agent's upload: multipart with its JFR and labels snapshot (gzipped JFR as the agent sends). */
    private static TestServer.Response agentUpload(String app, String mode) {
        String boundary = "26eacd47-16a5-4850-9d42-551bafabf72d";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"jfr\"; filename=\"jfr\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n");
        body.writeBytes(TestData.bytes("pyroscope-java-" + mode + ".jfr.gz"));
        if (!mode.equals("no-samples")) {
            write(body, "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"labels\"; filename=\"labels\"\r\n"
                    + "Content-Type: application/x-protobuf\r\n\r\n");
            body.writeBytes(TestData.bytes("pyroscope-java-" + mode + ".labels.pb"));
        }
        write(body, "\r\n--" + boundary + "--\r\n");
        return server.post("/ingest?name=" + enc(app + "{env=test}") + "&units=samples&aggregationType=sum&from=" + (NOW - 10)
                        + "&until=" + NOW + "&spyName=javaspy&sampleRate=100&format=jfr",
                body.toByteArray(), Map.of("Content-Type", "multipart/form-data; boundary=" + boundary));
    }

    @Test
    void javaAgentWallModeIsStoredWithThreads() {
        TestServer.Response r = agentUpload("wall-app", "wall");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("rows").asLong()).isPositive();
        // testdata/pyroscope-java.reference.txt: 3358 wall-clock samples of 10 ms
        assertThat(flame("wall", "{service=\"wall-app\",env=\"test\"}").path("total").asLong()).isEqualTo(3358 * 10_000_000L);
        assertThat(flame("wall", "{service=\"wall-app\",thread=\"sleeper\"}").path("total").asLong()).isPositive();
    }

    @Test
    void javaAgentLiveModeGivesInuseAndDynamicLabels() {
        TestServer.Response r = agentUpload("live-app", "live");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(flame("inuse_bytes", "{service=\"live-app\"}").path("total").asLong()).isEqualTo(41_772_040L);
        assertThat(flame("alloc_bytes", "{service=\"live-app\",endpoint=\"/alloc\"}").path("total").asLong()).isPositive();
        assertThat(flame("cpu", "{service=\"live-app\",endpoint=\"/checkout\"}").path("total").asLong()).isPositive();
    }

    @Test
    void uploadWithNoSamplesIs422NamingWhatItHeldAndCounted() {
        TestServer.Response r = agentUpload("empty-app", "no-samples");
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text()).contains("no profiling samples").contains("jdk.ActiveSetting");
        TestServer.Response folded = server.post("/ingest?name=empty-folded&format=folded", "main;idle 0\n".getBytes(StandardCharsets.UTF_8));
        assertThat(folded.status()).as(folded.toString()).isEqualTo(422);
        assertThat(folded.text()).contains("no samples");
        assertThat(server.get("/metrics").text()).contains("continuo_ingest_rejected_total{reason=\"no_samples\"}");
    }

    @Test
    void negativeAndOverflowingValuesAre422NamingTheValue() {
        TestServer.Response negative = server.post("/ingest?name=neg-app&format=folded&units=nanoseconds",
                "main;work 10\nmain;bad -5\n".getBytes(StandardCharsets.UTF_8));
        assertThat(negative.status()).as(negative.toString()).isEqualTo(422);
        assertThat(negative.text()).contains("negative sample value -5");
        String max = Long.toString(Long.MAX_VALUE);
        byte[] huge = ("a;b " + max + "\na;c " + max + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2; i++) {
            TestServer.Response r = server.post("/api/v1/ingest?service=huge-app&format=collapsed&type=alloc_bytes", huge);
            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.text()).contains("2^53-1");
        }
        TestServer.Response q = server.get("/api/v1/query/flamegraph?type=alloc_bytes&query=" + enc("{service=\"huge-app\"}") + RANGE);
        assertThat(q.status()).as(q.toString()).isEqualTo(200);
    }

    private static ByteString labelPair(String name, String value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeString(1, name);
        c.writeString(2, value);
        c.flush();
        return ByteString.copyFrom(out.toByteArray());
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
