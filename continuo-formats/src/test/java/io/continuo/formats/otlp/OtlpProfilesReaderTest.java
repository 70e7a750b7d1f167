package io.continuo.formats.otlp;

import static io.continuo.formats.otlp.OtlpTestDictionary.kv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.continuo.formats.otlp.proto.common.v1.InstrumentationScope;
import io.continuo.formats.otlp.proto.profiles.v1development.Profile;
import io.continuo.formats.otlp.proto.profiles.v1development.ResourceProfiles;
import io.continuo.formats.otlp.proto.profiles.v1development.Sample;
import io.continuo.formats.otlp.proto.profiles.v1development.ScopeProfiles;
import io.continuo.formats.otlp.proto.resource.v1.Resource;
import io.continuo.model.LabelLimits;
import io.continuo.model.Labels;
import io.continuo.model.ProfileType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class OtlpProfilesReaderTest {
    private static final long T0 = 1_760_000_000_000_000_000L;
    private static final long PERIOD = 50_000_000L; // the eBPF profiler's default 20 Hz

    /** The eBPF profiler's CPU profile: samples/count, period cpu/nanoseconds, timestamps only. */
    private static Profile.Builder ebpfCpu(OtlpTestDictionary d) {
        return Profile.newBuilder().setSampleType(d.type("samples", "count"))
                .setPeriodType(d.type("cpu", "nanoseconds")).setPeriod(PERIOD)
                .setTimeUnixNano(T0).setDurationNano(5_000_000_000L);
    }

    private static Sample.Builder timestamps(int stack, int count, int... attributes) {
        Sample.Builder s = Sample.newBuilder().setStackIndex(stack);
        for (int a : attributes) {
            s.addAttributeIndices(a);
        }
        for (int i = 0; i < count; i++) {
            s.addTimestampsUnixNano(T0 + i * PERIOD);
        }
        return s;
    }

    private static ExportProfilesServiceRequest request(OtlpTestDictionary d, ResourceProfiles... resources) {
        ExportProfilesServiceRequest.Builder r = ExportProfilesServiceRequest.newBuilder();
        for (ResourceProfiles rp : resources) {
            r.addResourceProfiles(rp);
        }
        return r.setDictionary(d.build()).build();
    }

    private static ResourceProfiles resource(List<io.continuo.formats.otlp.proto.common.v1.KeyValue> attributes, Profile.Builder... profiles) {
        ScopeProfiles.Builder scope = ScopeProfiles.newBuilder().setScope(InstrumentationScope.newBuilder().setName("go.opentelemetry.io/ebpf-profiler"));
        for (Profile.Builder p : profiles) {
            scope.addProfiles(p);
        }
        return ResourceProfiles.newBuilder().setResource(Resource.newBuilder().addAllAttributes(attributes)).addScopeProfiles(scope).build();
    }

    private static OtlpBatch decode(ExportProfilesServiceRequest request) {
        return OtlpProfilesReader.read(request.toByteArray());
    }

    private static OtlpProfile byService(OtlpBatch batch, String service) {
        return batch.profiles().stream().filter(p -> service.equals(p.labels().get(Labels.SERVICE))).findFirst()
                .orElseThrow(() -> new AssertionError("no profile for " + service + " in " + batch.profiles()));
    }

    /** Self value per leaf function, largest first. */
    static Map<String, Long> selfByFunction(io.continuo.model.Profile p) {
        Map<String, Long> self = new LinkedHashMap<>();
        for (int s = 0; s < p.sampleCount(); s++) {
            int stack = p.stack(s);
            String leaf = stack == 0 ? "<root>" : p.frames().get(p.stacks().frame(stack)).name();
            self.merge(leaf, p.value(s, 0), Long::sum);
        }
        return self.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    static List<String> rootFirst(io.continuo.model.Profile p, int sample) {
        int[] ids = new int[p.stacks().depth(p.stack(sample))];
        p.stacks().framesRootFirst(p.stack(sample), ids);
        List<String> names = new ArrayList<>();
        for (int id : ids) {
            names.add(p.frames().get(id).name());
        }
        return names;
    }

    @Test
    void ebpfHostRequestSplitsBySampleServiceAndCountsTimestampsAsCpuPeriods() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int checkoutStack = d.stackOf("crypto.sha256", "checkout.Handle", "main.main");
        int paymentsStack = d.stackOf("payments.Charge", "main.main");
        int checkout = d.attribute("service.name", "checkout");
        int payments = d.attribute("service.name", "payments");
        int thread = d.attribute("thread.name", "worker-17");
        int pid = d.intAttribute("process.pid", 4242);
        int exe = d.attribute("process.executable.name", "checkout-bin");
        Profile.Builder cpu = ebpfCpu(d)
                .addSamples(timestamps(checkoutStack, 3, checkout, thread, pid, exe))
                .addSamples(timestamps(checkoutStack, 2, checkout, pid, exe))
                .addSamples(timestamps(paymentsStack, 4, payments, pid));
        OtlpBatch batch = decode(request(d, resource(List.of(kv("host.name", "node-1"), kv("host.arch", "amd64")), cpu)));

        assertThat(batch.rejectedProfiles()).isZero();
        assertThat(batch.profiles()).hasSize(2);
        OtlpProfile c = byService(batch, "checkout");
        assertThat(c.labels().get(Labels.INSTANCE)).isEqualTo("node-1");
        assertThat(c.labels().get("host.arch")).isEqualTo("amd64");
        assertThat(c.profile().types()).containsExactly(ProfileType.CPU);
        assertThat(c.profile().total(0)).isEqualTo(5 * PERIOD);
        assertThat(c.profile().periodNanos()).isEqualTo(PERIOD);
        assertThat(c.profile().startNanos()).isEqualTo(T0);
        assertThat(c.profile().durationNanos()).isEqualTo(5_000_000_000L);
        assertThat(c.profile().labelSets()).anySatisfy(l -> {
            assertThat(l.get(Labels.THREAD)).isEqualTo("worker-17");
            assertThat(l.get("process.executable.name")).isEqualTo("checkout-bin");
            assertThat(l.get("process.pid")).isNull(); // numbers never become labels
            assertThat(l.get("service.name")).isNull();
        });
        assertThat(rootFirst(c.profile(), 0)).containsExactly("main.main", "checkout.Handle", "crypto.sha256");
        OtlpProfile p = byService(batch, "payments");
        assertThat(p.profile().total(0)).isEqualTo(4 * PERIOD);
        assertThat(selfByFunction(p.profile())).containsOnlyKeys("payments.Charge");
    }

    @Test
    void resourcesNameTheirServicesAndWellKnownAttributesBecomeContinuoLabels() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("app.work");
        ResourceProfiles named = resource(List.of(kv("service.name", "shop"), kv("service.version", "2.4.1"),
                kv("deployment.environment.name", "prod"), kv("host.name", "node-3"), kv("k8s.pod.name", "shop-7d9f"),
                kv("k8s.namespace.name", "store"), kv("process.pid", 17), kv("process.command_line", "java -jar shop.jar")),
                ebpfCpu(d).addSamples(timestamps(stack, 1)));
        ResourceProfiles unnamed = resource(List.of(kv("process.executable.name", "nginx"), kv("deployment.environment", "staging")),
                ebpfCpu(d).addSamples(timestamps(stack, 2)));
        ResourceProfiles bare = resource(List.of(), ebpfCpu(d).addSamples(timestamps(stack, 3)));
        OtlpBatch batch = decode(request(d, named, unnamed, bare));

        Labels shop = byService(batch, "shop").labels();
        assertThat(shop.asMap()).containsEntry(Labels.VERSION, "2.4.1").containsEntry(Labels.ENV, "prod")
                .containsEntry(Labels.INSTANCE, "shop-7d9f").containsEntry("host.name", "node-3")
                .containsEntry("k8s.namespace.name", "store")
                .doesNotContainKeys("process.pid", "process.command_line", "service.name", "k8s.pod.name");
        Labels nginx = byService(batch, "unknown_service:nginx").labels();
        assertThat(nginx.get(Labels.ENV)).isEqualTo("staging");
        assertThat(byService(batch, "unknown_service").profile().total(0)).isEqualTo(3 * PERIOD);
    }

    @Test
    void inlinedLinesBecomeFramesWithTheCallerAboveTheInlinedCallee() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        // one location: memcpy inlined into printf (lines innermost first); its caller main below it
        int inlined = d.location("memcpy", "printf");
        int main = d.location("main");
        int libc = d.nativeLocation("/usr/lib/x86_64-linux-gnu/libc.so.6", 0x7f0000000000L, 0x28000, 0x7f0000001234L);
        int stack = d.stack(libc, inlined, main);
        OtlpBatch batch = decode(request(d, resource(List.of(kv("service.name", "c")), ebpfCpu(d).addSamples(timestamps(stack, 1)))));

        io.continuo.model.Profile p = batch.profiles().get(0).profile();
        assertThat(rootFirst(p, 0)).containsExactly("main", "printf", "memcpy", "libc.so.6+0x29234");
        int[] ids = new int[4];
        p.stacks().framesRootFirst(p.stack(0), ids);
        assertThat(p.frames().get(ids[2]).file()).isEqualTo("memcpy.src");
        assertThat(p.frames().get(ids[2]).line()).isEqualTo(10);
        assertThat(p.frames().get(ids[1]).line()).isEqualTo(11);
    }

    @Test
    void sampleTypesMapOntoContinuoTypesInBaseUnits() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("alloc.big", "main");
        Profile.Builder allocBytes = Profile.newBuilder().setSampleType(d.type("alloc_space", "bytes"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(4096).addValues(1024));
        Profile.Builder allocObjects = Profile.newBuilder().setSampleType(d.type("alloc_objects", "count"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(3));
        Profile.Builder offCpu = Profile.newBuilder().setSampleType(d.type("off_cpu", "nanoseconds"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(700).addValues(300)
                        .addTimestampsUnixNano(T0).addTimestampsUnixNano(T0 + 10));
        Profile.Builder wallMs = Profile.newBuilder().setSampleType(d.type("wall", "milliseconds"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(25));
        Profile.Builder contentions = Profile.newBuilder().setSampleType(d.type("contentions", "count"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(9));
        OtlpBatch batch = decode(request(d, resource(List.of(kv("service.name", "jvm")), allocBytes, allocObjects, offCpu, wallMs, contentions)));

        Map<ProfileType, Long> totals = new LinkedHashMap<>();
        batch.profiles().forEach(p -> totals.put(p.profile().types().get(0), p.profile().total(0)));
        assertThat(totals).containsExactly(
                Map.entry(ProfileType.ALLOC_BYTES, 5120L),
                Map.entry(ProfileType.ALLOC_OBJECTS, 3L),
                Map.entry(new ProfileType("off_cpu", "nanoseconds"), 1000L),
                Map.entry(ProfileType.WALL, 25_000_000L),
                Map.entry(ProfileType.LOCK_COUNT, 9L));
        // without its own time, a profile spans its sample timestamps
        io.continuo.model.Profile off = batch.profiles().get(2).profile();
        assertThat(off.startNanos()).isEqualTo(T0);
        assertThat(off.durationNanos()).isEqualTo(10);
    }

    @Test
    void goldenTotalsAndTopFunctionsOfAMixedHostRequest() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int hash = d.stackOf("runtime.memhash", "map.insert", "api.Handle", "main");
        int gc = d.stackOf("runtime.gcDrain", "runtime.gcBgMarkWorker");
        int json = d.stackOf("json.Marshal", "api.Handle", "main");
        int kernel = d.stack(d.location("do_syscall_64"), d.location("write"), d.location("api.Handle"), d.location("main"));
        int svc = d.attribute("service.name", "api");
        Profile.Builder cpu = ebpfCpu(d);
        int[][] shape = {{hash, 40}, {gc, 25}, {json, 20}, {kernel, 15}, {hash, 10}};
        for (int[] s : shape) {
            cpu.addSamples(timestamps(s[0], s[1], svc));
        }
        OtlpBatch batch = decode(request(d, resource(List.of(kv("host.name", "n1")), cpu)));

        io.continuo.model.Profile p = byService(batch, "api").profile();
        assertThat(p.total(0)).isEqualTo(110 * PERIOD);
        assertThat(new ArrayList<>(selfByFunction(p).entrySet()).subList(0, 4)).containsExactly(
                Map.entry("runtime.memhash", 50 * PERIOD),
                Map.entry("runtime.gcDrain", 25 * PERIOD),
                Map.entry("json.Marshal", 20 * PERIOD),
                Map.entry("do_syscall_64", 15 * PERIOD));
        // samples with equal stack and labels merge
        assertThat(p.sampleCount()).isEqualTo(4);
    }

    @Test
    void linksBecomeTraceAndSpanIdsAndGzipIsAccepted() throws IOException {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("handler");
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        trace[15] = (byte) 0xab;
        span[0] = 0x12;
        int link = d.link(trace, span);
        Profile.Builder cpu = ebpfCpu(d).addSamples(timestamps(stack, 2).setLinkIndex(link)).addSamples(timestamps(stack, 1));
        byte[] gz = gzip(request(d, resource(List.of(kv("service.name", "traced")), cpu)).toByteArray());
        OtlpBatch batch = OtlpProfilesReader.read(gz);

        io.continuo.model.Profile p = batch.profiles().get(0).profile();
        assertThat(p.labelSets()).anySatisfy(l -> {
            assertThat(l.get(Labels.TRACE_ID)).isEqualTo("000000000000000000000000000000ab");
            assertThat(l.get(Labels.SPAN_ID)).isEqualTo("1200000000000000");
        });
        assertThat(p.total(0)).isEqualTo(3 * PERIOD);
    }

    @Test
    void dictionaryBeforeOrAfterTheProfilesDecodesTheSame() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("leaf", "root");
        ExportProfilesServiceRequest r = request(d, resource(List.of(kv("service.name", "s")), ebpfCpu(d).addSamples(timestamps(stack, 7))));
        byte[] dictionaryFirst = concat(ExportProfilesServiceRequest.newBuilder().setDictionary(r.getDictionary()).build().toByteArray(),
                ExportProfilesServiceRequest.newBuilder().addAllResourceProfiles(r.getResourceProfilesList()).build().toByteArray());
        assertThat(OtlpProfilesReader.read(dictionaryFirst).profiles().get(0).profile().total(0))
                .isEqualTo(decode(r).profiles().get(0).profile().total(0))
                .isEqualTo(7 * PERIOD);
    }

    @Test
    void aResourceThatFollowsItsProfilesOnTheWireStillNamesThem() throws IOException {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("late.leaf");
        ResourceProfiles whole = resource(List.of(kv("service.name", "late")), ebpfCpu(d).addSamples(timestamps(stack, 2)));
        // scope_profiles (field 2) first, then resource (field 1): legal protobuf, parsed as one message
        byte[] scopesFirst = concat(ResourceProfiles.newBuilder().addAllScopeProfiles(whole.getScopeProfilesList()).build().toByteArray(),
                ResourceProfiles.newBuilder().setResource(whole.getResource()).build().toByteArray());
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(request);
        out.writeByteArray(1, scopesFirst);
        out.writeByteArray(2, d.build().toByteArray());
        out.flush();
        OtlpBatch batch = OtlpProfilesReader.read(request.toByteArray());
        assertThat(byService(batch, "late").profile().total(0)).isEqualTo(2 * PERIOD);
        // the same bytes are a valid request for the generated classes too
        assertThat(ExportProfilesServiceRequest.parseFrom(request.toByteArray()).getResourceProfiles(0).getResource())
                .isEqualTo(whole.getResource());
    }

    @Test
    void aProfileWithoutSampleTypeIsRejectedAloneAndNamed() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f");
        Profile.Builder typeless = Profile.newBuilder().addSamples(Sample.newBuilder().setStackIndex(stack).addValues(1));
        OtlpBatch batch = decode(request(d, resource(List.of(kv("service.name", "s")), typeless, ebpfCpu(d).addSamples(timestamps(stack, 1)))));
        assertThat(batch.rejectedProfiles()).isEqualTo(1);
        assertThat(batch.rejections()).containsExactly("profile has no sample_type");
        assertThat(batch.profiles()).hasSize(1);
    }

    @Test
    void negativeValuesAreRejectedByTheSharedValueCheckAndZerosLeftOut() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f");
        Profile.Builder negative = Profile.newBuilder().setSampleType(d.type("alloc_space", "bytes"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(-5));
        Profile.Builder zero = Profile.newBuilder().setSampleType(d.type("contentions", "count"))
                .addSamples(Sample.newBuilder().setStackIndex(stack).addValues(0));
        OtlpBatch batch = decode(request(d,
                resource(List.of(kv("service.name", "neg")), negative),
                resource(List.of(kv("service.name", "idle")), zero),
                resource(List.of(kv("service.name", "ok")), ebpfCpu(d).addSamples(timestamps(stack, 2)))));
        // the negative one is refused by name; the all-zero one has nothing to store (the handler reports an empty request)
        assertThat(batch.rejectedProfiles()).as(batch.rejections() + " " + batch.profiles()).isEqualTo(1);
        assertThat(String.join(" / ", batch.rejections())).contains("service 'neg'", "negative sample value -5");
        assertThat(batch.profiles()).extracting(p -> p.labels().get(Labels.SERVICE)).containsExactly("ok");
    }

    @Test
    void attributeRichResourcesKeepTheWellKnownLabelsWithinTheLabelLimit() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f");
        List<io.continuo.formats.otlp.proto.common.v1.KeyValue> attributes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            attributes.add(kv("k8s.label.l" + i, "v" + i));
        }
        attributes.add(kv("service.name", "big"));
        attributes.add(kv("k8s.pod.name", "big-1"));
        attributes.add(kv("huge", "x".repeat(5000)));
        int sampleAttr = d.attribute("thread.name", "t");
        OtlpBatch batch = decode(request(d, resource(attributes, ebpfCpu(d).addSamples(timestamps(stack, 1, sampleAttr)))));
        OtlpProfile p = batch.profiles().get(0);
        assertThat(p.labels().size()).isLessThanOrEqualTo(LabelLimits.DEFAULT.maxLabels());
        assertThat(p.labels().get(Labels.SERVICE)).isEqualTo("big");
        assertThat(p.labels().get(Labels.INSTANCE)).isEqualTo("big-1");
        assertThat(p.labels().get("huge")).isNull();
        // the series is full, so sample labels that would push it over the limit are dropped, not refused
        assertThat(p.labels().merge(p.profile().labelSets().get(p.profile().labelSets().size() - 1)).size())
                .isLessThanOrEqualTo(LabelLimits.DEFAULT.maxLabels());
    }

    // ---- hostile and broken input ----

    @Test
    void truncatedInputNamesTheOffset() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f", "g");
        byte[] whole = request(d, resource(List.of(kv("service.name", "s")), ebpfCpu(d).addSamples(timestamps(stack, 3)))).toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 5);
        assertThatThrownBy(() -> OtlpProfilesReader.read(cut)).isInstanceOf(ProfileFormatException.class)
                .hasMessageStartingWith("otlp: ").hasMessageContaining("at offset");
    }

    @Test
    void aHugeDeclaredLengthIsRefusedBeforeAllocating() {
        // field 2 (dictionary), length-delimited, declared 2 GB - 1 in a 7-byte body
        byte[] body = {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x00};
        assertThatThrownBy(() -> OtlpProfilesReader.read(body)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("declared length 2147483647 exceeds the 1 bytes left");
    }

    @Test
    void indexesOutsideTheDictionaryAreNamed() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f");
        assertRefused(request(d, resource(List.of(), ebpfCpu(d).addSamples(timestamps(99, 1)))), "stack_table[99]");
        assertRefused(request(d, resource(List.of(), ebpfCpu(d).addSamples(timestamps(stack, 1, 1234)))), "attribute index 1234 is outside attribute_table");
        assertRefused(request(d, resource(List.of(), ebpfCpu(d).addSamples(timestamps(stack, 1).setLinkIndex(-3)))), "link_table[-3]");

        OtlpTestDictionary badStack = new OtlpTestDictionary();
        int s = badStack.stack(77);
        assertRefused(request(badStack, resource(List.of(), ebpfCpu(badStack).addSamples(timestamps(s, 1)))), "refers to location_table[77]");

        OtlpTestDictionary badFunction = new OtlpTestDictionary();
        badFunction.d.addLocationTable(io.continuo.formats.otlp.proto.profiles.v1development.Location.newBuilder()
                .addLines(io.continuo.formats.otlp.proto.profiles.v1development.Line.newBuilder().setFunctionIndex(55)));
        assertRefused(request(badFunction, resource(List.of(), ebpfCpu(badFunction))), "lines.function_index is 55, outside function_table");

        OtlpTestDictionary badString = new OtlpTestDictionary();
        Profile.Builder p = Profile.newBuilder().setSampleType(io.continuo.formats.otlp.proto.profiles.v1development.ValueType.newBuilder().setTypeStrindex(5000));
        assertRefused(request(badString, resource(List.of(), p)), "sample_type.type_strindex is 5000, outside string_table");
    }

    @Test
    void aStackDeeperThanTheLimitIsRefused() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int loop = d.location("recurse");
        int[] locations = new int[5000];
        java.util.Arrays.fill(locations, loop);
        int stack = d.stack(locations);
        assertRefused(request(d, resource(List.of(), ebpfCpu(d).addSamples(timestamps(stack, 1)))), "deeper than maxStackDepth 4096");
        // inlined frames count too: 3000 locations of 2 lines each
        OtlpTestDictionary inl = new OtlpTestDictionary();
        int two = inl.location("inner", "outer");
        int[] half = new int[3000];
        java.util.Arrays.fill(half, two);
        int deep = inl.stack(half);
        assertRefused(request(inl, resource(List.of(), ebpfCpu(inl).addSamples(timestamps(deep, 1)))), "stack too deep");
    }

    @Test
    void aDecompressionBombStopsAtTheLimit() throws IOException {
        byte[] zeros = new byte[8 << 20];
        byte[] bomb = gzip(zeros);
        assertThatThrownBy(() -> OtlpProfilesReader.read(bomb, DecodeLimits.DEFAULT.withMaxDecompressedBytes(1 << 20), LabelLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("exceeds maxDecompressedBytes");
    }

    @Test
    void tooManySamplesAreRefused() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f");
        Profile.Builder cpu = ebpfCpu(d);
        for (int i = 0; i < 11; i++) {
            cpu.addSamples(timestamps(stack, 1));
        }
        byte[] body = request(d, resource(List.of(), cpu)).toByteArray();
        assertThatThrownBy(() -> OtlpProfilesReader.read(body, DecodeLimits.DEFAULT.withMaxSamples(10), LabelLimits.DEFAULT))
                .hasMessageContaining("more than maxSamples 10 samples");
    }

    @Test
    void servicesPerRequestAreBounded() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int stack = d.stackOf("f");
        Profile.Builder cpu = ebpfCpu(d);
        for (int i = 0; i <= OtlpProfilesReader.MAX_SERVICE_PROFILES; i++) {
            cpu.addSamples(timestamps(stack, 1, d.attribute("service.name", "svc-" + i)));
        }
        assertRefused(request(d, resource(List.of(), cpu)), "more than 1024 (profile, service) pairs in one request");
    }

    private static void assertRefused(ExportProfilesServiceRequest request, String message) {
        assertThatThrownBy(() -> decode(request)).isInstanceOf(ProfileFormatException.class).hasMessageContaining(message);
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
