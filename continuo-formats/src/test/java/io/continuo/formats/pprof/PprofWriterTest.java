package io.continuo.formats.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.TestData;
import io.continuo.model.FlameTree;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** read → write → read keeps totals, top functions and the set of (stack, labels, values). No go toolchain here. */
class PprofWriterTest {

    @ParameterizedTest
    @ValueSource(strings = {"go119.cpu.pb.gz", "go119.heap.pb.gz"})
    void roundTripsRealProfiles(String file) throws Exception {
        Profile original = PprofReader.read(TestData.bytes(file), DecodeLimits.DEFAULT);
        for (boolean gzip : new boolean[] {true, false}) {
            byte[] written = PprofWriter.toBytes(original, gzip);
            assertThat(Gzip.isGzip(written)).isEqualTo(gzip);
            byte[] raw = gzip ? Gzip.decompress(written, 1 << 26) : written;
            // well-formed protobuf by protobuf-java's own parser; top-level field numbers are pprof's
            UnknownFieldSet fields = UnknownFieldSet.parseFrom(raw);
            assertThat(fields.asMap().keySet()).contains(1, 2, 4, 5, 6).allMatch(f -> f >= 1 && f <= 14);
            Profile again = PprofReader.read(written, DecodeLimits.DEFAULT);
            assertSameProfile(original, again);
        }
    }

    static void assertSameProfile(Profile a, Profile b) {
        assertThat(b.types()).isEqualTo(a.types());
        assertThat(b.startNanos()).isEqualTo(a.startNanos());
        assertThat(b.durationNanos()).isEqualTo(a.durationNanos());
        assertThat(b.periodNanos()).isEqualTo(a.periodNanos());
        for (int t = 0; t < a.types().size(); t++) {
            assertThat(b.total(t)).isEqualTo(a.total(t));
            assertThat(b.toFlameTree(t).topFunctions(0)).isEqualTo(a.toFlameTree(t).topFunctions(0));
        }
        assertThat(stackSet(b)).isEqualTo(stackSet(a));
    }

    static Map<String, List<Long>> stackSet(Profile p) {
        Map<String, List<Long>> out = new HashMap<>();
        for (int s = 0; s < p.sampleCount(); s++) {
            int[] frames = new int[p.stacks().depth(p.stack(s))];
            p.stacks().framesRootFirst(p.stack(s), frames);
            StringBuilder key = new StringBuilder(p.sampleLabels(s).toString());
            for (int f : frames) {
                key.append(';').append(p.frames().get(f));
            }
            Long[] values = new Long[p.types().size()];
            for (int t = 0; t < values.length; t++) {
                values[t] = p.value(s, t);
            }
            out.merge(key.toString(), List.of(values), (x, y) -> {
                Long[] sum = new Long[x.size()];
                for (int i = 0; i < sum.length; i++) {
                    sum[i] = x.get(i) + y.get(i);
                }
                return List.of(sum);
            });
        }
        return out;
    }

    @Test
    void roundTripsLabelsAndExportsFlameTrees() throws Exception {
        ProfileBuilder builder = new ProfileBuilder(List.of(ProfileType.ALLOC_BYTES, ProfileType.ALLOC_OBJECTS));
        int a = builder.frame("a");
        int b = builder.frame("b");
        builder.addSample(new int[] {a, b}, 2, new long[] {4096, 1}, Labels.of("thread", "main"));
        builder.addSample(new int[] {a}, 1, new long[] {100, 2}, Labels.EMPTY);
        builder.window(5, 7);
        Profile profile = builder.build();
        assertSameProfile(profile, PprofReader.read(PprofWriter.toBytes(profile, true), DecodeLimits.DEFAULT));

        FlameTree tree = new FlameTree();
        tree.add(List.of("main", "work", "hash"), 30);
        tree.add(List.of("main", "work"), 5);
        tree.add(List.of("main", "idle"), 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PprofWriter.write(ProfileType.CPU, tree, 0, out, true);
        Profile exported = PprofReader.read(out.toByteArray(), DecodeLimits.DEFAULT);
        assertThat(exported.types()).containsExactly(ProfileType.CPU);
        assertThat(exported.total(0)).isEqualTo(42);
        assertThat(exported.toFlameTree(0).topFunctions(0)).isEqualTo(tree.topFunctions(0));
    }
}
