package io.continuo.agent.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PprofEncoderTest {
    private static ProfileBuilder lockProfile() {
        return new ProfileBuilder(new String[] {"contentions", "delay"}, new String[] {"count", "nanoseconds"},
                "contentions", "count");
    }

    private static int frame(ProfileBuilder b, String name, int line) {
        int n = b.intern(name);
        return b.location(b.function(n, b.intern(name.substring(0, name.lastIndexOf('.')))), line);
    }

    @Test
    void roundTripsSamplesStacksLabelsAndHeader() {
        ProfileBuilder b = lockProfile();
        b.beginStack();
        b.pushFrame(frame(b, "com.example.Lock.enter", 42));
        b.pushFrame(frame(b, "com.example.Main.main", 7));
        int stack = b.endStack();
        int thread = b.intern("worker-1");
        int span = b.span(0x1234L, 0xabcdL, 0xef01L, "GET /users");
        b.addSample(stack, thread, span, 1, 5_000_000);
        b.addSample(stack, thread, span, 2, 7_000_000); // same row: values add up
        b.addSample(stack, b.intern("worker-2"), 0, 1, 1_000);
        b.setPeriod(1);

        DecodedProfile p = DecodedProfile.parse(new PprofEncoder().encode(b, 1_700_000_000_000_000_000L, 10_000_000_000L));

        assertThat(p.strings.get(0)).isEmpty();
        assertThat(p.sampleTypes).containsExactly(new String[] {"contentions", "count"}, new String[] {"delay", "nanoseconds"});
        assertThat(p.periodType).containsExactly("contentions", "count");
        assertThat(p.period).isEqualTo(1);
        assertThat(p.timeNanos).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(p.durationNanos).isEqualTo(10_000_000_000L);
        assertThat(p.samples).hasSize(2);
        DecodedProfile.Sample first = p.samples.get(0);
        assertThat(first.frames).containsExactly("com.example.Lock.enter", "com.example.Main.main");
        assertThat(first.values).containsExactly(3L, 12_000_000L);
        assertThat(first.labels).containsEntry("thread", "worker-1")
                .containsEntry("span_id", "0000000000001234")
                .containsEntry("trace_id", "000000000000abcd000000000000ef01")
                .containsEntry("endpoint", "GET /users");
        DecodedProfile.Sample second = p.samples.get(1);
        assertThat(second.labels).containsOnlyKeys("thread").containsEntry("thread", "worker-2");
        long leafLocation = first.locationIds.get(0);
        assertThat(p.locations.get(leafLocation)[1]).isEqualTo(42);
        long[] fn = p.functions.get(p.locations.get(leafLocation)[0]);
        assertThat(p.s(fn[1])).isEqualTo("com.example.Lock.enter");
        assertThat(p.s(fn[2])).isEqualTo("com.example.Lock");
    }

    @Test
    void gzipRoundTripAndReuseAfterClear() {
        ProfileBuilder b = lockProfile();
        PprofEncoder enc = new PprofEncoder();
        for (int interval = 0; interval < 3; interval++) {
            for (int i = 0; i < 500; i++) {
                b.beginStack();
                b.pushFrame(frame(b, "a.B.m" + (i % 50), i));
                b.pushFrame(frame(b, "a.B.root", 1));
                b.addSample(b.endStack(), b.intern("t" + (i % 3)), 0, 1, i);
            }
            DecodedProfile p = DecodedProfile.gunzipAndParse(enc.encodeGzip(b, 1, 1));
            assertThat(p.total("contentions")).isEqualTo(500);
            assertThat(p.total("delay")).isEqualTo(500L * 499 / 2);
            assertThat(p.samples).hasSize(500);
            b.clear();
            assertThat(b.isEmpty()).isTrue();
        }
    }

    @Test
    void largeAndNegativeValuesSurviveVarintEncoding() {
        ProfileBuilder b = new ProfileBuilder(new String[] {"cpu"}, new String[] {"nanoseconds"}, "cpu", "nanoseconds");
        b.beginStack();
        b.pushFrame(frame(b, "x.Y.z", 0));
        int s = b.endStack();
        b.addSample(s, b.intern("t"), 0, Long.MAX_VALUE);
        b.addSample(s, b.intern("u"), 0, -5);
        DecodedProfile p = DecodedProfile.parse(new PprofEncoder().encode(b, 0, 0));
        assertThat(p.samples.get(0).values).containsExactly(Long.MAX_VALUE);
        assertThat(p.samples.get(1).values).containsExactly(-5L);
    }
}
