package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.formats.pprof.PprofReader;
import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A real server, real Go profiles in, and every query API out. */
class IngestAndQueryTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static final long NOW_SECONDS = System.currentTimeMillis() / 1000;
    static final String RANGE = "&from=" + (NOW_SECONDS - 3600) + "&until=" + (NOW_SECONDS + 60);

    @BeforeAll
    static void start() {
        server = new TestServer(dataDir);
        String window = "&from=" + (NOW_SECONDS - 120) + "&until=" + (NOW_SECONDS - 110);
        assertThat(server.post("/api/v1/ingest?service=shopgen&format=pprof&version=1.0&env=prod" + window,
                TestData.bytes("go119.cpu.pb.gz")).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/ingest?service=shopgen&version=1.0&env=prod" + window,
                TestData.bytes("go119.heap.pb.gz")).status()).isEqualTo(200);
        // version 2.0: the same work plus a new hot function, so the diff has something to show
        String v2 = "&from=" + (NOW_SECONDS - 60) + "&until=" + (NOW_SECONDS - 50);
        assertThat(server.post("/api/v1/ingest?service=shopgen&format=collapsed&type=cpu&version=2.0&env=prod" + v2,
                "runtime.main;main.main;main.hashLoop 600\nruntime.main;main.main;main.newHotPath 400\n".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode getJson(String path) {
        TestServer.Response r = server.get(path);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static String q(String selector) {
        return TestServer.query(Map.of("query", selector));
    }

    @Test
    void flameGraphTotalsEqualGoToolPprof() {
        JsonNode fg = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        // go tool pprof -top: "Total samples = 3.22s"
        assertThat(fg.path("total").asLong() / 10_000_000).isEqualTo(322);
        assertThat(fg.path("unit").asText()).isEqualTo("nanoseconds");
        assertThat(fg.path("names").get(0).asText()).isEqualTo("total");
        JsonNode root = fg.path("levels").get(0);
        assertThat(root.get(1).asLong()).isEqualTo(fg.path("total").asLong());
    }

    @Test
    void topFunctionsMatchTheReferenceReading() {
        JsonNode top = getJson("/api/v1/query/top?type=cpu&sort=self&limit=5&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        JsonNode first = top.path("functions").get(0);
        assertThat(first.path("name").asText()).isEqualTo("crypto/sha256.block");
        assertThat(Math.round(first.path("self").asLong() / 1e7)).isEqualTo(81);
        JsonNode byTotal = getJson("/api/v1/query/top?type=cpu&sort=total&limit=50&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        long hashLoopTotal = 0;
        for (JsonNode f : byTotal.path("functions")) {
            if (f.path("name").asText().equals("main.hashLoop")) {
                hashLoopTotal = f.path("total").asLong();
            }
        }
        assertThat(Math.round(hashLoopTotal / 1e7)).isEqualTo(104);
    }

    @Test
    void heapProfilesMapOntoContinuoTypes() {
        JsonNode alloc = getJson("/api/v1/query/top?type=alloc_bytes&limit=1&" + q("{service=\"shopgen\"}") + RANGE);
        // go tool pprof -sample_index=alloc_space: main.allocate 2160618.36kB flat
        assertThat(alloc.path("functions").get(0).path("name").asText()).isEqualTo("main.allocate");
        assertThat(Math.round(alloc.path("functions").get(0).path("self").asLong() / 1024.0)).isEqualTo(2160618);
        JsonNode types = getJson("/api/v1/types?" + q("{service=\"shopgen\"}") + RANGE);
        List<String> names = new ArrayList<>();
        types.path("types").forEach(t -> names.add(t.path("name").asText()));
        assertThat(names).contains("cpu", "alloc_bytes", "alloc_objects", "inuse_bytes", "inuse_objects");
    }

    @Test
    void collapsedAndPprofExportsCarryTheWholeProfile() {
        String sel = q("{service=\"shopgen\",version=\"1.0\"}");
        TestServer.Response collapsed = server.get("/api/v1/query/flamegraph?type=cpu&format=collapsed&" + sel + RANGE);
        assertThat(collapsed.status()).isEqualTo(200);
        long sum = 0;
        for (String line : collapsed.text().split("\n")) {
            sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertThat(sum / 10_000_000).isEqualTo(322);
        assertThat(collapsed.text()).contains("runtime.main;main.main;main.hashLoop;");
        TestServer.Response pprof = server.get("/api/v1/query/flamegraph?type=cpu&format=pprof&" + sel + RANGE);
        assertThat(pprof.status()).isEqualTo(200);
        Profile exported = PprofReader.read(pprof.body());
        assertThat(exported.total(exported.typeIndex("cpu"))).isEqualTo(sum);
    }

    /** #10: period, time range, labels of the grouping and Go's sample-type names, read by the real go tool pprof. */
    @Test
    void pprofExportsCarryMetadataLabelsAndGoNames(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        long from = (NOW_SECONDS - 3600) * 1000;
        long until = (NOW_SECONDS + 60) * 1000;
        TestServer.Response heap = server.get("/api/v1/query/flamegraph?type=inuse_bytes&format=pprof&groupBy=version,env&"
                + q("{service=\"shopgen\"}") + RANGE);
        assertThat(heap.status()).as(heap.toString()).isEqualTo(200);
        Profile p = PprofReader.read(heap.body());
        assertThat(p.startNanos()).isEqualTo(from * 1_000_000L);
        assertThat(p.durationNanos()).isEqualTo((until - from) * 1_000_000L);
        assertThat(p.labelSets()).contains(Labels.of("version", "1.0", "env", "prod"));
        byte[] raw = io.continuo.formats.Gzip.decompress(heap.body(), 1 << 26);
        String strings = new String(raw, StandardCharsets.ISO_8859_1);
        assertThat(strings).contains("inuse_space", "inuse_bytes");

        TestServer.Response cpu = server.get("/api/v1/query/flamegraph?type=cpu&format=pprof&groupBy=version&"
                + q("{service=\"shopgen\"}") + RANGE);
        Profile c = PprofReader.read(cpu.body());
        assertThat(c.periodNanos()).isEqualTo(10_000_000L);
        assertThat(c.labelSets()).contains(Labels.of("version", "1.0"), Labels.of("version", "2.0"));
        long flameTotal = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shopgen\"}") + RANGE).path("total").asLong();
        assertThat(c.total(c.typeIndex("cpu"))).isEqualTo(flameTotal);

        Path go = goBinary();
        if (go == null) {
            String msg = "go tool pprof not installed: skipping the real-tool half of the pprof export test";
            System.err.println("SKIPPED: " + msg);
            org.junit.jupiter.api.Assumptions.assumeTrue(false, msg);
        }
        Path heapFile = dir.resolve("heap.pb.gz");
        java.nio.file.Files.write(heapFile, heap.body());
        String top = run(go.toString(), "tool", "pprof", "-sample_index=inuse_space", "-top", heapFile.toString());
        assertThat(top).contains("Type: inuse_space").contains("main.");
        Path cpuFile = dir.resolve("cpu.pb.gz");
        java.nio.file.Files.write(cpuFile, cpu.body());
        assertThat(run(go.toString(), "tool", "pprof", "-tagfocus=version=2.0", "-top", cpuFile.toString()))
                .contains("main.newHotPath");
        assertThat(run(go.toString(), "tool", "pprof", "-raw", cpuFile.toString())).contains("Period: 10000000")
                .contains("Duration:");
    }

    private static Path goBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path go = Path.of(dir, "go");
            if (java.nio.file.Files.isExecutable(go)) {
                return go;
            }
        }
        return null;
    }

    private static String run(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
        pb.environment().put("GOFLAGS", "-mod=mod");
        pb.environment().put("PPROF_TMPDIR", System.getProperty("java.io.tmpdir"));
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void timeSeriesGroupsByLabel() {
        JsonNode ts = getJson("/api/v1/query/timeseries?type=cpu&step=60s&groupBy=version&" + q("{service=\"shopgen\"}") + RANGE);
        assertThat(ts.path("series")).hasSize(2);
        double total = 0;
        for (JsonNode s : ts.path("series")) {
            for (JsonNode p : s.path("points")) {
                total += p.get(1).asDouble();
            }
        }
        JsonNode fg = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shopgen\"}") + RANGE);
        assertThat((long) total).isEqualTo(fg.path("total").asLong());
    }

    @Test
    void diffOfTwoVersionsShowsTheNewFunction() {
        JsonNode diff = getJson("/api/v1/query/diff?type=cpu&" + TestServer.query(Map.of(
                "leftQuery", "{service=\"shopgen\",version=\"1.0\"}",
                "rightQuery", "{service=\"shopgen\",version=\"2.0\"}")) + RANGE);
        assertThat(diff.path("baseline").path("total").asLong()).isGreaterThan(0);
        assertThat(diff.path("comparison").path("total").asLong()).isEqualTo(1000);
        assertThat(diff.path("levels").get(0).size()).isEqualTo(6);
        assertThat(diff.path("changes").get(0).path("name").asText()).isIn("main.newHotPath", "main.hashLoop", "crypto/sha256.block");
        boolean grew = false;
        for (JsonNode c : diff.path("changes")) {
            if (c.path("name").asText().equals("main.newHotPath")) {
                grew = c.path("selfShareChange").asDouble() > 0.39;
            }
        }
        assertThat(grew).isTrue();
    }

    @Test
    void labelsAndServicesComeFromTheData() {
        JsonNode names = getJson("/api/v1/labels?" + RANGE.substring(1));
        assertThat(names.path("names").toString()).contains("service", "version", "env");
        JsonNode versions = getJson("/api/v1/label/version/values?" + q("{service=\"shopgen\"}") + RANGE);
        assertThat(versions.path("values").toString()).contains("1.0", "2.0");
        JsonNode services = getJson("/api/v1/services?" + RANGE.substring(1));
        assertThat(services.path("services").toString()).contains("shopgen");
    }

    @Test
    void selectorOperatorsFilterSeries() {
        JsonNode notV1 = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shopgen\",version!=\"1.0\"}") + RANGE);
        assertThat(notV1.path("total").asLong()).isEqualTo(1000);
        JsonNode regex = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=~\"shop.*\",env=~\"prod|stage\"}") + RANGE);
        assertThat(regex.path("total").asLong()).isGreaterThan(1000);
        JsonNode none = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"nobody\"}") + RANGE);
        assertThat(none.path("total").asLong()).isZero();
    }

    @Test
    void maxNodesPrunesButKeepsTotals() {
        JsonNode fg = getJson("/api/v1/query/flamegraph?type=cpu&maxNodes=20&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        assertThat(fg.path("numNodes").asInt()).isLessThanOrEqualTo(20);
        assertThat(fg.path("total").asLong() / 10_000_000).isEqualTo(322);
        assertThat(fg.path("names").toString()).contains("other");
    }

    @Test
    void traceQueryReturnsOnlyThatTracesSamples() throws Exception {
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
        int handler = b.frame("com.shop.Checkout.handle");
        int slow = b.frame("com.shop.Pricing.slowPath");
        int other = b.frame("com.shop.Other.work");
        b.addSample(new int[]{handler, slow}, 2, new long[]{70_000_000}, Labels.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7", "endpoint", "POST /checkout"));
        b.addSample(new int[]{handler, other}, 2, new long[]{30_000_000}, Labels.of("trace_id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "span_id", "1111111111111111", "endpoint", "POST /checkout"));
        b.addSample(new int[]{other}, 1, new long[]{50_000_000}, Labels.EMPTY);
        byte[] pprof = PprofWriter.toBytes(b.build(), true);
        assertThat(server.post("/api/v1/ingest?service=shop&format=pprof&from=" + (NOW_SECONDS - 30) + "&until=" + (NOW_SECONDS - 20), pprof).status()).isEqualTo(200);

        JsonNode trace = getJson("/api/v1/query/trace?type=cpu&traceId=4bf92f3577b34da6a3ce929d0e0e4736" + RANGE);
        assertThat(trace.path("total").asLong()).isEqualTo(70_000_000);
        assertThat(trace.path("names").toString()).contains("com.shop.Pricing.slowPath").doesNotContain("com.shop.Other.work");
        assertThat(trace.path("spans")).hasSize(1);
        assertThat(trace.path("spans").get(0).path("spanId").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(trace.path("spans").get(0).path("endpoint").asText()).isEqualTo("POST /checkout");
        assertThat(trace.path("spans").get(0).path("value").asLong()).isEqualTo(70_000_000);
        JsonNode span = getJson("/api/v1/query/trace?type=cpu&spanId=1111111111111111" + RANGE);
        assertThat(span.path("total").asLong()).isEqualTo(30_000_000);
        // the whole service still has every sample, and the endpoint is a series label
        JsonNode all = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shop\"}") + RANGE);
        assertThat(all.path("total").asLong()).isEqualTo(150_000_000);
        JsonNode endpoint = getJson("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shop\",endpoint=\"POST /checkout\"}") + RANGE);
        assertThat(endpoint.path("total").asLong()).isEqualTo(100_000_000);
        JsonNode traces = getJson("/api/v1/query/traces?type=cpu&" + q("{service=\"shop\",endpoint=\"POST /checkout\"}") + RANGE);
        assertThat(traces.path("traces").toString()).contains("4bf92f3577b34da6a3ce929d0e0e4736", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    }

    @Test
    void sandwichShowsCallersAndCallees() {
        JsonNode s = getJson("/api/v1/query/sandwich?type=cpu&function=main.hashLoop&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        assertThat(s.path("callers").path("names").toString()).contains("main.main");
        assertThat(s.path("callees").path("names").toString()).contains("crypto/sha256.(*digest).Write");
    }

    @Test
    void healthAndMetricsAreServed() {
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        TestServer.Response metrics = server.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("continuo_ingested_profiles_total", "continuo_store_sample_rows",
                "continuo_ingest_requests_total{api=\"native\"}");
    }
}
