package io.continuo.formats.otlp;

import static io.continuo.formats.otlp.OtlpTestDictionary.kv;
import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.FuzzTest;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.continuo.formats.otlp.proto.common.v1.InstrumentationScope;
import io.continuo.formats.otlp.proto.profiles.v1development.Profile;
import io.continuo.formats.otlp.proto.profiles.v1development.ResourceProfiles;
import io.continuo.formats.otlp.proto.profiles.v1development.Sample;
import io.continuo.formats.otlp.proto.profiles.v1development.ScopeProfiles;
import io.continuo.formats.otlp.proto.resource.v1.Resource;
import io.continuo.model.LabelLimits;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Truncations and bit flips of a host-shaped request (several services, inlined and native frames, links, every
 * table used): the decoder succeeds or throws {@code ProfileFormatException}, never anything else.
 */
class OtlpFuzzTest {
    private static byte[] hostRequest() {
        OtlpTestDictionary d = new OtlpTestDictionary();
        int inlined = d.location("memcpy", "printf");
        int main = d.location("main");
        int libc = d.nativeLocation("/lib/libc.so.6", 0x7f0000000000L, 0x1000, 0x7f0000000abcL);
        int[] stacks = {d.stack(libc, inlined, main), d.stackOf("a", "b", "c"), d.stackOf("gc")};
        int[] attributes = {d.attribute("service.name", "one"), d.attribute("service.name", "two"),
                d.attribute("thread.name", "t-1"), d.intAttribute("process.pid", 7), d.attribute("container.id", "abc")};
        int link = d.link(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Profile.Builder cpu = Profile.newBuilder().setSampleType(d.type("samples", "count"))
                .setPeriodType(d.type("cpu", "nanoseconds")).setPeriod(50_000_000L).setTimeUnixNano(1_760_000_000_000_000_000L);
        for (int i = 0; i < 30; i++) {
            Sample.Builder s = Sample.newBuilder().setStackIndex(stacks[i % 3])
                    .addAttributeIndices(attributes[i % 2]).addAttributeIndices(attributes[2 + i % 3]);
            if (i % 4 == 0) {
                s.setLinkIndex(link);
            }
            s.addTimestampsUnixNano(1_760_000_000_000_000_000L + i);
            cpu.addSamples(s);
        }
        Profile.Builder alloc = Profile.newBuilder().setSampleType(d.type("alloc_space", "bytes"))
                .addSamples(Sample.newBuilder().setStackIndex(stacks[1]).addValues(4096));
        return ExportProfilesServiceRequest.newBuilder().setDictionary(d.build())
                .addResourceProfiles(ResourceProfiles.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(kv("host.name", "n")).addAttributes(kv("service.name", "host")))
                        .addScopeProfiles(ScopeProfiles.newBuilder().setScope(InstrumentationScope.newBuilder().setName("ebpf")
                                .addAttributes(kv("scope.attr", "x"))).addProfiles(cpu).addProfiles(alloc)))
                .build().toByteArray();
    }

    @Test
    void damagedRequestsFailOnlyWithFormatErrors() throws IOException {
        byte[] raw = hostRequest();
        assertThat(OtlpProfilesReader.read(raw).profiles()).hasSize(3);
        int rejectedRaw = FuzzTest.fuzz(raw, 300, 3000, b -> OtlpProfilesReader.read(b, DecodeLimits.DEFAULT, LabelLimits.DEFAULT));
        int rejectedGz = FuzzTest.fuzz(OtlpProfilesReaderTest.gzip(raw), 100, 300,
                b -> OtlpProfilesReader.read(b, DecodeLimits.DEFAULT, LabelLimits.DEFAULT));
        // most damage is caught; flips inside strings or values decode to a different but valid request
        assertThat(rejectedRaw).isGreaterThan(300);
        assertThat(rejectedGz).isGreaterThan(100);
    }
}
