package io.continuo.server.pyroscope;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Empty;
import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.Labels;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import io.continuo.server.pyroscope.ConnectClient.Encoding;
import io.continuo.server.pyroscope.proto.PprofProto;
import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.server.pyroscope.proto.TypesProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server with real Go profiles, read through Pyroscope's query API by a Connect client in both encodings,
 * every answer checked against Continuo's own query API on the same data.
 */
class PyroscopeQueryApiTest {
    static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
    static final String INUSE = "memory:inuse_space:bytes:space:bytes";
    static final String Q = PyroscopeApi.QUERIER;

    @TempDir
    static Path dataDir;
    static TestServer server;
    static ConnectClient client;
    static final long NOW = System.currentTimeMillis();
    static final long FROM = NOW - 3_600_000;
    static final long UNTIL = NOW + 60_000;
    static final String RANGE = "&from=" + FROM + "&until=" + UNTIL;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dataDir);
        client = new ConnectClient(server.base());
        long s = NOW / 1000;
        String v1 = "&from=" + (s - 120) + "&until=" + (s - 110);
        assertThat(server.post("/api/v1/ingest?service=shopgen&format=pprof&version=1.0&env=prod" + v1,
                TestData.bytes("go119.cpu.pb.gz")).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/ingest?service=shopgen&version=1.0&env=prod" + v1,
                TestData.bytes("go119.heap.pb.gz")).status()).isEqualTo(200);
        String v2 = "&from=" + (s - 60) + "&until=" + (s - 50);
        assertThat(server.post("/api/v1/ingest?service=shopgen&format=collapsed&type=cpu&version=2.0&env=prod" + v2,
                "runtime.main;main.main;main.hashLoop 600\nruntime.main;main.main;main.newHotPath 400\n"
                        .getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        // two instances of one service holding memory in the same minute: SUM adds them, AVERAGE takes their mean
        String heap = "&format=collapsed&type=inuse_bytes&from=" + (s - 100) + "&until=" + (s - 95);
        assertThat(server.post("/api/v1/ingest?service=memapp&instance=a" + heap, "main;alloc 100\n".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/ingest?service=memapp&instance=b" + heap, "main;alloc 300\n".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
        int handler = b.frame("com.shop.Checkout.handle");
        int slow = b.frame("com.shop.Pricing.slowPath");
        int other = b.frame("com.shop.Other.work");
        b.addSample(new int[]{handler, slow}, 2, new long[]{70_000_000}, Labels.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7"));
        b.addSample(new int[]{handler, other}, 2, new long[]{30_000_000}, Labels.of("trace_id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "span_id", "1111111111111111"));
        b.addSample(new int[]{other}, 1, new long[]{50_000_000}, Labels.EMPTY);
        assertThat(server.post("/api/v1/ingest?service=shop&format=pprof&from=" + (s - 30) + "&until=" + (s - 20),
                PprofWriter.toBytes(b.build(), true)).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode ours(String pathAndQuery) {
        TestServer.Response r = server.get(pathAndQuery);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static String q(String selector) {
        return TestServer.query(Map.of("query", selector));
    }

    private static QuerierProto.SelectMergeStacktracesRequest stacks(String type, String selector) {
        return QuerierProto.SelectMergeStacktracesRequest.newBuilder().setProfileTypeID(type)
                .setLabelSelector(selector).setStart(FROM).setEnd(UNTIL).build();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void profileTypesAreOursUnderPyroscopeIds(Encoding enc) {
        QuerierProto.ProfileTypesResponse r = client.call(Q + "ProfileTypes",
                QuerierProto.ProfileTypesRequest.newBuilder().setStart(FROM).setEnd(UNTIL).build(),
                QuerierProto.ProfileTypesResponse.getDefaultInstance(), enc);
        Set<String> ids = new TreeSet<>();
        r.getProfileTypesList().forEach(t -> ids.add(t.getID()));
        Set<String> expected = new TreeSet<>();
        ours("/api/v1/types?" + RANGE).path("types").forEach(t -> expected.add(ProfileTypeIds.of(t.path("name").asText(), t.path("unit").asText()).id()));
        assertThat(ids).isEqualTo(expected).contains(CPU, INUSE, "memory:alloc_space:bytes:space:bytes");
        TypesProto.ProfileType cpu = r.getProfileTypesList().stream().filter(t -> t.getID().equals(CPU)).findFirst().orElseThrow();
        assertThat(cpu.getName()).isEqualTo("process_cpu");
        assertThat(cpu.getSampleType()).isEqualTo("cpu");
        assertThat(cpu.getSampleUnit()).isEqualTo("nanoseconds");
        // Grafana's health check asks about the first seconds of 1970: an empty answer, not an error
        assertThat(client.call(Q + "ProfileTypes", QuerierProto.ProfileTypesRequest.newBuilder().setStart(1000).setEnd(4000).build(),
                QuerierProto.ProfileTypesResponse.getDefaultInstance(), enc).getProfileTypesCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void labelNamesAndValuesUseServiceName(Encoding enc) {
        TypesProto.LabelNamesResponse names = client.call(Q + "LabelNames",
                TypesProto.LabelNamesRequest.newBuilder().addMatchers("{service_name=\"shopgen\"}").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelNamesResponse.getDefaultInstance(), enc);
        assertThat(names.getNamesList()).contains("service_name", "version", "env", "__profile_type__", "__name__")
                .doesNotContain("service");
        TypesProto.LabelValuesResponse services = client.call(Q + "LabelValues",
                TypesProto.LabelValuesRequest.newBuilder().setName("service_name").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelValuesResponse.getDefaultInstance(), enc);
        List<String> expected = textList(ours("/api/v1/label/service/values?" + RANGE).path("values"));
        assertThat(services.getNamesList()).isEqualTo(expected).contains("shop", "shopgen");
        TypesProto.LabelValuesResponse versions = client.call(Q + "LabelValues",
                TypesProto.LabelValuesRequest.newBuilder().setName("version")
                        .addMatchers("{service_name=\"shopgen\", __profile_type__=\"" + CPU + "\"}").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelValuesResponse.getDefaultInstance(), enc);
        assertThat(versions.getNamesList()).containsExactly("1.0", "2.0");
        // narrowed to a type, as the Drilldown asks ({__profile_type__=...}): only version 1.0 sent a heap profile
        TypesProto.LabelValuesResponse heapVersions = client.call(Q + "LabelValues",
                TypesProto.LabelValuesRequest.newBuilder().setName("version")
                        .addMatchers("{__profile_type__=\"" + INUSE + "\", service_name=\"shopgen\"}").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelValuesResponse.getDefaultInstance(), enc);
        assertThat(heapVersions.getNamesList()).containsExactly("1.0");
        TypesProto.LabelNamesResponse heapNames = client.call(Q + "LabelNames",
                TypesProto.LabelNamesRequest.newBuilder().addMatchers("{__profile_type__=\"" + INUSE + "\"}").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelNamesResponse.getDefaultInstance(), enc);
        assertThat(heapNames.getNamesList()).contains("service_name", "version", "__profile_type__");
        assertThat(client.call(Q + "LabelNames",
                TypesProto.LabelNamesRequest.newBuilder().addMatchers("{__profile_type__=\"nothing:stored:count:x:y\"}").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelNamesResponse.getDefaultInstance(), enc).getNamesCount()).isZero();
        TypesProto.LabelValuesResponse types = client.call(Q + "LabelValues",
                TypesProto.LabelValuesRequest.newBuilder().setName("__profile_type__")
                        .addMatchers("{service_name=\"shop\"}").setStart(FROM).setEnd(UNTIL).build(),
                TypesProto.LabelValuesResponse.getDefaultInstance(), enc);
        assertThat(types.getNamesList()).containsExactly(CPU);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void seriesListsEachServiceAndTypeLikeTheDrilldownAsks(Encoding enc) {
        QuerierProto.SeriesResponse r = client.call(Q + "Series", QuerierProto.SeriesRequest.newBuilder()
                        .addLabelNames("service_name").addLabelNames("__profile_type__").setStart(FROM).setEnd(UNTIL).build(),
                QuerierProto.SeriesResponse.getDefaultInstance(), enc);
        Set<String> got = new TreeSet<>();
        for (TypesProto.Labels l : r.getLabelsSetList()) {
            assertThat(l.getLabelsList()).extracting(TypesProto.LabelPair::getName).containsExactly("__profile_type__", "service_name");
            got.add(l.getLabels(1).getValue() + " " + l.getLabels(0).getValue());
        }
        Set<String> expected = new TreeSet<>();
        for (JsonNode s : ours("/api/v1/services?" + RANGE).path("services")) {
            for (JsonNode t : s.path("types")) {
                expected.add(s.path("name").asText() + " " + ProfileTypeIds.of(t.path("name").asText(), t.path("unit").asText()).id());
            }
        }
        assertThat(got).isEqualTo(expected).contains("shopgen " + CPU, "shop " + CPU);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void selectMergeStacktracesEqualsOurFlameGraph(Encoding enc) {
        String sel = "{service_name=\"shopgen\", version=\"1.0\"}";
        QuerierProto.FlameGraph fg = client.call(Q + "SelectMergeStacktraces", stacks(CPU, sel),
                QuerierProto.SelectMergeStacktracesResponse.getDefaultInstance(), enc).getFlamegraph();
        JsonNode our = ours("/api/v1/query/flamegraph?type=cpu&maxNodes=100000&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        assertThat(fg.getTotal()).isEqualTo(our.path("total").asLong()).isEqualTo(3_220_000_000L);
        assertThat(fg.getNames(0)).isEqualTo("total");
        Map<String, Long> self = LevelDecoder.selfByName(fg.getNamesList(), fg.getLevelsList(), 4);
        for (JsonNode f : ours("/api/v1/query/top?type=cpu&limit=100000&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE).path("functions")) {
            assertThat(self.getOrDefault(f.path("name").asText(), 0L)).as(f.path("name").asText()).isEqualTo(f.path("self").asLong());
        }
        assertThat(fg.getMaxSelf()).isEqualTo(self.values().stream().mapToLong(Long::longValue).max().orElseThrow());
        // Grafana's data source rebuilds the tree from the levels by position; every stack must come back whole
        Map<String, Long> collapsed = new HashMap<>();
        for (String line : server.get("/api/v1/query/flamegraph?type=cpu&format=collapsed&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE).text().split("\n")) {
            int space = line.lastIndexOf(' ');
            collapsed.merge(line.substring(0, space), Long.parseLong(line.substring(space + 1)), Long::sum);
        }
        assertThat(LevelDecoder.stacksLikeGrafana(fg.getNamesList(), fg.getLevelsList())).isEqualTo(collapsed);

        QuerierProto.FlameGraph small = client.call(Q + "SelectMergeStacktraces", stacks(CPU, sel).toBuilder().setMaxNodes(20).build(),
                QuerierProto.SelectMergeStacktracesResponse.getDefaultInstance(), enc).getFlamegraph();
        int nodes = small.getLevelsList().stream().mapToInt(l -> l.getValuesCount() / 4).sum();
        assertThat(nodes).isLessThanOrEqualTo(20);
        assertThat(small.getTotal()).isEqualTo(fg.getTotal());
        assertThat(small.getNamesList()).contains("other");
        assertThat(LevelDecoder.selfByName(small.getNamesList(), small.getLevelsList(), 4).values().stream()
                .mapToLong(Long::longValue).sum()).isEqualTo(fg.getTotal());
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void selectSeriesEqualsOurTimeSeries(Encoding enc) {
        QuerierProto.SelectSeriesResponse r = client.call(Q + "SelectSeries", QuerierProto.SelectSeriesRequest.newBuilder()
                        .setProfileTypeID(CPU).setLabelSelector("{service_name=\"shopgen\"}").setStart(FROM).setEnd(UNTIL)
                        .setStep(60).addGroupBy("version").build(),
                QuerierProto.SelectSeriesResponse.getDefaultInstance(), enc);
        JsonNode our = ours("/api/v1/query/timeseries?type=cpu&step=60s&groupBy=version&" + q("{service=\"shopgen\"}") + RANGE);
        assertThat(r.getSeriesCount()).isEqualTo(our.path("series").size()).isEqualTo(2);
        for (int i = 0; i < r.getSeriesCount(); i++) {
            TypesProto.Series s = r.getSeries(i);
            JsonNode o = our.path("series").get(i);
            assertThat(s.getLabelsList()).hasSize(1);
            assertThat(s.getLabels(0).getName()).isEqualTo("version");
            assertThat(s.getLabels(0).getValue()).isEqualTo(o.path("labels").path("version").asText());
            assertThat(s.getPointsCount()).isEqualTo(o.path("points").size());
            for (int p = 0; p < s.getPointsCount(); p++) {
                assertThat(s.getPoints(p).getTimestamp()).isEqualTo(o.path("points").get(p).get(0).asLong());
                assertThat(s.getPoints(p).getValue()).isEqualTo(o.path("points").get(p).get(1).asDouble());
            }
        }
        double total = r.getSeriesList().stream().flatMap(s -> s.getPointsList().stream()).mapToDouble(TypesProto.Point::getValue).sum();
        assertThat(total).isEqualTo(3_220_000_000.0 + 1000);

        QuerierProto.SelectSeriesResponse top = client.call(Q + "SelectSeries", QuerierProto.SelectSeriesRequest.newBuilder()
                        .setProfileTypeID(CPU).setLabelSelector("{service_name=\"shopgen\"}").setStart(FROM).setEnd(UNTIL)
                        .setStep(60).addGroupBy("version").setLimit(1)
                        .setAggregation(TypesProto.TimeSeriesAggregationType.TIME_SERIES_AGGREGATION_TYPE_AVERAGE).build(),
                QuerierProto.SelectSeriesResponse.getDefaultInstance(), enc);
        assertThat(top.getSeriesCount()).isEqualTo(1);
        assertThat(top.getSeries(0).getLabels(0).getValue()).isEqualTo("1.0");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void averageIsTheMeanOverSeries(Encoding enc) {
        QuerierProto.SelectSeriesRequest.Builder req = QuerierProto.SelectSeriesRequest.newBuilder()
                .setProfileTypeID(INUSE).setLabelSelector("{service_name=\"memapp\"}").setStart(FROM).setEnd(UNTIL).setStep(60);
        double sum = client.call(Q + "SelectSeries", req.build(), QuerierProto.SelectSeriesResponse.getDefaultInstance(), enc)
                .getSeries(0).getPointsList().stream().mapToDouble(TypesProto.Point::getValue).max().orElseThrow();
        double avg = client.call(Q + "SelectSeries",
                req.setAggregation(TypesProto.TimeSeriesAggregationType.TIME_SERIES_AGGREGATION_TYPE_AVERAGE).build(),
                QuerierProto.SelectSeriesResponse.getDefaultInstance(), enc)
                .getSeries(0).getPointsList().stream().mapToDouble(TypesProto.Point::getValue).max().orElseThrow();
        assertThat(sum).isEqualTo(400);
        assertThat(avg).isEqualTo(200);
        QuerierProto.SelectSeriesResponse byInstance = client.call(Q + "SelectSeries", req.addGroupBy("instance").build(),
                QuerierProto.SelectSeriesResponse.getDefaultInstance(), enc);
        assertThat(byInstance.getSeriesList()).extracting(x -> x.getPointsList().stream().mapToDouble(TypesProto.Point::getValue).max().orElseThrow())
                .containsExactly(100.0, 300.0);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void selectMergeProfileIsPprofWithTheSameTotal(Encoding enc) {
        PprofProto.Profile p = client.call(Q + "SelectMergeProfile", QuerierProto.SelectMergeProfileRequest.newBuilder()
                        .setProfileTypeID(CPU).setLabelSelector("{service_name=\"shopgen\", version=\"1.0\"}").setStart(FROM).setEnd(UNTIL).build(),
                PprofProto.Profile.getDefaultInstance(), enc);
        long sum = p.getSampleList().stream().mapToLong(s -> s.getValue(0)).sum();
        assertThat(sum).isEqualTo(3_220_000_000L);
        assertThat(p.getStringTable(0)).isEmpty();
        assertThat(p.getStringTableList()).contains("crypto/sha256.block");
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void selectMergeSpanProfileReadsOurSpanLabels(Encoding enc) {
        QuerierProto.FlameGraph fg = client.call(Q + "SelectMergeSpanProfile", QuerierProto.SelectMergeSpanProfileRequest.newBuilder()
                        .setProfileTypeID(CPU).setLabelSelector("{service_name=\"shop\"}").addSpanSelector("00f067aa0ba902b7")
                        .setStart(FROM).setEnd(UNTIL).build(),
                QuerierProto.SelectMergeSpanProfileResponse.getDefaultInstance(), enc).getFlamegraph();
        JsonNode our = ours("/api/v1/query/trace?type=cpu&spanId=00f067aa0ba902b7" + RANGE);
        assertThat(fg.getTotal()).isEqualTo(our.path("total").asLong()).isEqualTo(70_000_000L);
        assertThat(fg.getNamesList()).contains("com.shop.Pricing.slowPath").doesNotContain("com.shop.Other.work");
        QuerierProto.FlameGraph both = client.call(Q + "SelectMergeSpanProfile", QuerierProto.SelectMergeSpanProfileRequest.newBuilder()
                        .setProfileTypeID(CPU).addSpanSelector("00f067aa0ba902b7").addSpanSelector("1111111111111111")
                        .setStart(FROM).setEnd(UNTIL).build(),
                QuerierProto.SelectMergeSpanProfileResponse.getDefaultInstance(), enc).getFlamegraph();
        assertThat(both.getTotal()).isEqualTo(100_000_000L);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void diffCarriesBothSidesTicks(Encoding enc) {
        QuerierProto.FlameGraphDiff d = client.call(Q + "Diff", QuerierProto.DiffRequest.newBuilder()
                        .setLeft(stacks(CPU, "{service_name=\"shopgen\", version=\"1.0\"}"))
                        .setRight(stacks(CPU, "{service_name=\"shopgen\", version=\"2.0\"}")).build(),
                QuerierProto.DiffResponse.getDefaultInstance(), enc).getFlamegraph();
        JsonNode our = ours("/api/v1/query/diff?type=cpu&leftQuery=" + enc("{service=\"shopgen\",version=\"1.0\"}")
                + "&rightQuery=" + enc("{service=\"shopgen\",version=\"2.0\"}") + RANGE);
        assertThat(d.getLeftTicks()).isEqualTo(our.path("baseline").path("total").asLong()).isEqualTo(3_220_000_000L);
        assertThat(d.getRightTicks()).isEqualTo(our.path("comparison").path("total").asLong()).isEqualTo(1000);
        assertThat(d.getTotal()).isEqualTo(d.getLeftTicks() + d.getRightTicks());
        assertThat(LevelDecoder.selfByName(d.getNamesList(), d.getLevelsList(), 7).get("main.newHotPath")).isNull();
        Map<String, Long> rightSelf = LevelDecoder.diffRightSelfByName(d.getNamesList(), d.getLevelsList());
        assertThat(rightSelf.get("main.newHotPath")).isEqualTo(400);
        assertThat(rightSelf.get("main.hashLoop")).isEqualTo(600);
    }

    @Test
    void profileStatsAndSettingsAnswerTheDrilldown() {
        for (Encoding enc : Encoding.values()) {
            assertThat(client.call(Q + "GetProfileStats", TypesProto.GetProfileStatsRequest.getDefaultInstance(),
                    TypesProto.GetProfileStatsResponse.getDefaultInstance(), enc).getDataIngested()).isTrue();
            assertThat(client.call("/settings.v1.SettingsService/Get", Empty.getDefaultInstance(), Empty.getDefaultInstance(), enc))
                    .isEqualTo(Empty.getDefaultInstance());
        }
        // the Drilldown reads json.settings: an empty message must not carry an empty array
        assertThat(client.raw("/settings.v1.SettingsService/Get", "{}".getBytes(StandardCharsets.UTF_8), "application/json").text()).isEqualTo("{}");
    }

    @Test
    void jsonIsConnectsEncodingWithInt64AsStrings() {
        ConnectClient.Raw r = client.raw(Q + "SelectMergeStacktraces",
                ("{\"profileTypeID\":\"" + CPU + "\",\"labelSelector\":\"{service_name=\\\"shopgen\\\",version=\\\"1.0\\\"}\","
                        + "\"start\":" + FROM + ",\"end\":\"" + UNTIL + "\",\"maxNodes\":\"16\"}").getBytes(StandardCharsets.UTF_8),
                "application/json; charset=utf-8");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.text()).startsWith("{\"flamegraph\":{\"names\":[\"total\"").contains("\"total\":\"3220000000\"", "\"maxSelf\":\"");
        // a large answer comes back gzipped to a client that accepts it (connect-go does)
        ConnectClient.Raw big = client.raw(Q + "SelectMergeStacktraces",
                ConnectClient.encode(stacks(CPU, "{service_name=\"shopgen\"}"), Encoding.PROTO), "application/proto");
        assertThat(big.status()).isEqualTo(200);
        assertThat(big.body().length).isGreaterThan(2000);
        assertThat(big.gzipped()).isTrue();
    }

    @Test
    void gzipRequestsAreAccepted() {
        ConnectClient gz = new ConnectClient(server.base()).gzipRequests(true);
        for (Encoding enc : Encoding.values()) {
            assertThat(gz.call(Q + "SelectMergeStacktraces", stacks(CPU, "{service_name=\"shopgen\", version=\"1.0\"}"),
                    QuerierProto.SelectMergeStacktracesResponse.getDefaultInstance(), enc).getFlamegraph().getTotal()).isEqualTo(3_220_000_000L);
        }
        ConnectClient.Raw broken = client.header("X-Unused", "1").raw(Q + "ProfileTypes", new byte[]{1, 2, 3}, "application/proto");
        assertThat(broken.status()).isEqualTo(400);
    }

    @Test
    void errorsAreConnectErrors() throws Exception {
        ConnectClient.Raw badType = client.raw(Q + "SelectMergeStacktraces",
                ConnectClient.encode(stacks("nonsense", "{}"), Encoding.PROTO), "application/proto");
        assertThat(badType.status()).isEqualTo(400);
        JsonNode e = io.continuo.server.http.Json.MAPPER.readTree(badType.body());
        assertThat(e.path("code").asText()).isEqualTo("invalid_argument");
        assertThat(e.path("message").asText()).contains("profile_typeID", "nonsense");

        ConnectClient.Raw badSelector = client.raw(Q + "SelectMergeStacktraces",
                ConnectClient.encode(stacks(CPU, "{service_name=}"), Encoding.JSON), "application/json");
        assertThat(badSelector.status()).isEqualTo(400);
        assertThat(badSelector.text()).contains("\"code\":\"invalid_argument\"", "selector");

        ConnectClient.Raw badJson = client.raw(Q + "LabelNames", "{\"start\": \"soon\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.text()).contains("invalid_argument", "start");

        ConnectClient.Raw form = client.raw(Q + "LabelNames", "a=b".getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded");
        assertThat(form.status()).isEqualTo(415);

        ConnectClient.Raw heatmap = client.raw(Q + "SelectHeatmap", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(heatmap.status()).isEqualTo(501);
        assertThat(heatmap.text()).contains("\"code\":\"unimplemented\"");

        // health and earlier data after every attack
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        assertThat(client.call(Q + "SelectMergeStacktraces", stacks(CPU, "{service_name=\"shopgen\", version=\"1.0\"}"),
                QuerierProto.SelectMergeStacktracesResponse.getDefaultInstance(), Encoding.PROTO).getFlamegraph().getTotal()).isEqualTo(3_220_000_000L);
    }

    @Test
    void renderServesFlamebearerWithTimeline() {
        JsonNode our = ours("/api/v1/query/flamegraph?type=cpu&" + q("{service=\"shopgen\"}") + RANGE);
        for (String query : List.of(CPU + "{service_name=\"shopgen\"}", "shopgen.cpu", "shopgen.cpu{}", "{__profile_type__=\"" + CPU + "\",service_name=\"shopgen\"}")) {
            JsonNode r = ours("/pyroscope/render?format=json&" + q(query) + RANGE);
            assertThat(r.path("flamebearer").path("numTicks").asLong()).as(query).isEqualTo(our.path("total").asLong());
            assertThat(r.path("flamebearer").path("names").get(0).asText()).isEqualTo("total");
            assertThat(r.path("metadata").path("format").asText()).isEqualTo("single");
            assertThat(r.path("metadata").path("units").asText()).isEqualTo("samples");
            long timeline = 0;
            for (JsonNode v : r.path("timeline").path("samples")) {
                timeline += v.asLong();
            }
            assertThat(timeline).as(query).isEqualTo(our.path("total").asLong());
            assertThat(r.path("timeline").path("durationDelta").asLong()).isPositive();
        }
        JsonNode heap = ours("/pyroscope/render?" + q("shopgen.inuse_space{version=\"1.0\"}") + RANGE);
        JsonNode ourHeap = ours("/api/v1/query/flamegraph?type=inuse_bytes&" + q("{service=\"shopgen\",version=\"1.0\"}") + RANGE);
        assertThat(heap.path("flamebearer").path("numTicks").asLong()).isEqualTo(ourHeap.path("total").asLong()).isPositive();
        JsonNode pruned = ours("/pyroscope/render?max-nodes=10&" + q(CPU + "{service_name=\"shopgen\"}") + RANGE);
        int nodes = 0;
        for (JsonNode level : pruned.path("flamebearer").path("levels")) {
            nodes += level.size() / 4;
        }
        assertThat(nodes).isLessThanOrEqualTo(10);
        assertThat(server.get("/pyroscope/render?" + q("nonsense:x{") + RANGE).status()).isEqualTo(400);
        assertThat(server.get("/pyroscope/render?" + RANGE.substring(1)).status()).isEqualTo(400);
    }

    @Test
    void renderDiffAndLabelValues() {
        JsonNode d = ours("/pyroscope/render-diff?leftQuery=" + enc(CPU + "{service_name=\"shopgen\",version=\"1.0\"}")
                + "&rightQuery=" + enc(CPU + "{service_name=\"shopgen\",version=\"2.0\"}")
                + "&leftFrom=" + FROM + "&leftUntil=" + UNTIL + "&rightFrom=" + FROM + "&rightUntil=" + UNTIL);
        assertThat(d.path("leftTicks").asLong()).isEqualTo(3_220_000_000L);
        assertThat(d.path("rightTicks").asLong()).isEqualTo(1000);
        assertThat(d.path("metadata").path("format").asText()).isEqualTo("double");
        assertThat(d.path("flamebearer").path("levels").get(0).size()).isEqualTo(7);

        assertThat(textList(ours("/pyroscope/label-values?label=service_name" + RANGE))).containsExactly("memapp", "shop", "shopgen");
        assertThat(textList(ours("/pyroscope/label-values?label=__name__" + RANGE))).contains(CPU, INUSE);
        assertThat(textList(ours("/pyroscope/label-values?label=version&" + q("shopgen.cpu") + RANGE))).containsExactly("1.0", "2.0");
        assertThat(textList(ours("/pyroscope/label-names?" + RANGE.substring(1)))).contains("service_name", "version");
        assertThat(server.get("/pyroscope/label-values?" + RANGE.substring(1)).status()).isEqualTo(400);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Reads Pyroscope's level encoding back into per-name values (the way Grafana's flame graph decodes it). */
    static final class LevelDecoder {
        static Map<String, Long> selfByName(List<String> names, List<QuerierProto.Level> levels, int stride) {
            Map<String, Long> out = new HashMap<>();
            for (QuerierProto.Level l : levels) {
                for (int i = 0; i < l.getValuesCount(); i += stride) {
                    long self = l.getValues(i + 2);
                    if (self != 0) {
                        out.merge(names.get((int) l.getValues(i + stride - 1)), self, Long::sum);
                    }
                }
            }
            return out;
        }

        /**
         * The tree as Grafana's Pyroscope data source rebuilds it (levelsToTree): offsets made absolute level by
         * level, each node the child of the next parent whose span contains it; returned as collapsed stacks.
         */
        static Map<String, Long> stacksLikeGrafana(List<String> names, List<QuerierProto.Level> levels) {
            record Node(long start, long value, String path) {
            }
            Map<String, Long> out = new HashMap<>();
            List<Node> parents = List.of(new Node(0, levels.get(0).getValues(1), ""));
            for (int d = 1; d < levels.size(); d++) {
                List<Node> next = new java.util.ArrayList<>();
                int p = 0;
                long offset = 0;
                QuerierProto.Level l = levels.get(d);
                for (int i = 0; i < l.getValuesCount(); ) {
                    long start = l.getValues(i) + offset;
                    long value = l.getValues(i + 1);
                    Node parent = parents.get(p);
                    if (start >= parent.start && start + value <= parent.start + parent.value) {
                        String path = (parent.path.isEmpty() ? "" : parent.path + ";") + names.get((int) l.getValues(i + 3));
                        next.add(new Node(start, value, path));
                        if (l.getValues(i + 2) != 0) {
                            out.merge(path, l.getValues(i + 2), Long::sum);
                        }
                        offset = start + value;
                        i += 4;
                    } else {
                        p++;
                        assertThat(p).as("a node outside every parent at level " + d).isLessThan(parents.size());
                    }
                }
                parents = next;
            }
            return out;
        }

        static Map<String, Long> diffRightSelfByName(List<String> names, List<QuerierProto.Level> levels) {
            Map<String, Long> out = new HashMap<>();
            for (QuerierProto.Level l : levels) {
                for (int i = 0; i < l.getValuesCount(); i += 7) {
                    long self = l.getValues(i + 5);
                    if (self != 0) {
                        out.merge(names.get((int) l.getValues(i + 6)), self, Long::sum);
                    }
                }
            }
            return out;
        }
    }
}
