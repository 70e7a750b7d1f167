package io.continuo.formats.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Pb;
import io.continuo.formats.ProfileFormatException;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PprofReaderTest {
    // string table: 0 "", 1 cpu, 2 nanoseconds, 3 main, 4 inlinedCallee, 5 caller, 6 main.go, 7 thread id, 8 worker-1,
    // 9 libfoo.so, 10 samples, 11 count
    private static final String[] STRINGS = {"", "cpu", "nanoseconds", "main", "inlinedCallee", "caller", "main.go",
            "thread id", "worker-1", "/usr/lib/libfoo.so", "samples", "count"};

    private static Pb withStrings(Pb profile) {
        for (String s : STRINGS) {
            profile.string(6, s);
        }
        return profile;
    }

    private static Pb function(long id, long name) {
        return new Pb().varint(1, id).varint(2, name).varint(4, 6);
    }

    private static Pb line(long function, long line) {
        return new Pb().varint(1, function).varint(2, line);
    }

    /** Samples first, symbols after, unpacked ids in one sample and packed in another, inlined lines, bare address. */
    private static byte[] handMade() {
        Pb p = new Pb();
        p.message(1, new Pb().varint(1, 10).varint(2, 11));
        p.message(1, new Pb().varint(1, 1).varint(2, 2));
        // leaf-first location ids: 2 (inlined callee+caller), 1 (main)
        p.message(2, new Pb().varint(1, 2).varint(1, 1).varint(2, 1).varint(2, 10_000_000L)
                .message(3, new Pb().varint(1, 7).varint(2, 8)));
        p.message(2, new Pb().packed(1, 3, 1).packed(2, 2, 20_000_000L));
        p.message(3, new Pb().varint(1, 1).varint(2, 0x400000).varint(3, 0x500000).varint(4, 0x1000).varint(5, 9));
        p.message(4, new Pb().varint(1, 1).message(4, line(1, 10)));
        p.message(4, new Pb().varint(1, 2).message(4, line(2, 42)).message(4, line(3, 20)));
        p.message(4, new Pb().varint(1, 3).varint(2, 1).varint(3, 0x400123));
        p.message(5, function(1, 3));
        p.message(5, function(2, 4));
        p.message(5, function(3, 5));
        p.varint(9, 1_700_000_000_000_000_000L).varint(10, 1_000_000_000L);
        p.message(11, new Pb().varint(1, 1).varint(2, 2)).varint(12, 10_000_000L);
        return withStrings(p).toBytes();
    }

    static List<String> stackNames(Profile profile, int sample) {
        int[] frames = new int[profile.stacks().depth(profile.stack(sample))];
        profile.stacks().framesRootFirst(profile.stack(sample), frames);
        List<String> names = new ArrayList<>();
        for (int f : frames) {
            names.add(profile.frames().get(f).name());
        }
        return names;
    }

    @Test
    void decodesOutOfOrderPackedAndUnpackedInlinedAndAddressOnly() {
        Profile profile = PprofReader.read(handMade(), DecodeLimits.DEFAULT);
        assertThat(profile.types()).containsExactly(new ProfileType("samples", "count"), ProfileType.CPU);
        assertThat(profile.sampleCount()).isEqualTo(2);
        assertThat(stackNames(profile, 0)).containsExactly("main", "caller", "inlinedCallee");
        assertThat(profile.sampleLabels(0)).isEqualTo(Labels.of("thread_id", "worker-1"));
        assertThat(profile.value(0, 1)).isEqualTo(10_000_000L);
        assertThat(stackNames(profile, 1)).containsExactly("main", "libfoo.so+0x1123");
        assertThat(profile.sampleLabels(1)).isEqualTo(Labels.EMPTY);
        assertThat(profile.total(1)).isEqualTo(30_000_000L);
        assertThat(profile.periodNanos()).isEqualTo(10_000_000L);
        assertThat(profile.startNanos()).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(profile.durationNanos()).isEqualTo(1_000_000_000L);
        assertThat(profile.frames().get(profile.stacks().frame(profile.stack(0))).line()).isEqualTo(42);
        assertThat(profile.frames().get(profile.stacks().frame(profile.stack(0))).file()).isEqualTo("main.go");
    }

    @Test
    void rejectsOverDeepStacksWithAClearError() {
        int depth = 100_000;
        Pb p = new Pb();
        p.message(1, new Pb().varint(1, 1).varint(2, 2));
        long[] ids = new long[depth];
        for (int i = 0; i < depth; i++) {
            ids[i] = 1;
        }
        p.message(2, new Pb().packed(1, ids).varint(2, 1));
        p.message(4, new Pb().varint(1, 1).message(4, line(1, 1)));
        p.message(5, function(1, 3));
        byte[] bytes = withStrings(p).toBytes();
        assertThatThrownBy(() -> PprofReader.read(bytes, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("pprof: stack deeper than maxStackDepth 4096");
        // and a lower limit applies too
        Profile ok = PprofReader.read(bytes, DecodeLimits.DEFAULT.withMaxStackDepth(depth));
        assertThat(ok.stacks().depth(ok.stack(0))).isEqualTo(depth);
    }

    @Test
    void rejectsUnknownLocationAndBadStringIndexWithOffsets() {
        Pb p = new Pb().message(1, new Pb().varint(1, 1).varint(2, 2)).message(2, new Pb().varint(1, 99).varint(2, 1));
        byte[] unknownLocation = withStrings(p).toBytes();
        assertThatThrownBy(() -> PprofReader.read(unknownLocation, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class)
                .hasMessageMatching("pprof: sample refers to unknown location id 99 at offset \\d+");

        Pb q = new Pb().message(1, new Pb().varint(1, 1).varint(2, 2)).message(2, new Pb().varint(1, 1).varint(2, 1))
                .message(4, new Pb().varint(1, 1).message(4, line(1, 1))).message(5, function(1, 500));
        byte[] badString = withStrings(q).toBytes();
        assertThatThrownBy(() -> PprofReader.read(badString, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("string index 500 out of range");
    }

    @Test
    void rejectsWrongValueCountTruncationAndGarbage() {
        Pb p = new Pb().message(1, new Pb().varint(1, 1).varint(2, 2)).message(2, new Pb().varint(2, 1).varint(2, 2));
        byte[] twoValues = withStrings(p).toBytes();
        assertThatThrownBy(() -> PprofReader.read(twoValues, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("more values than the 1 sample types");

        byte[] whole = handMade();
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> PprofReader.read(truncated, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageStartingWith("pprof: ");

        byte[] garbage = "this is not a profile at all".getBytes();
        assertThatThrownBy(() -> PprofReader.read(garbage, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageStartingWith("pprof: ");

        assertThatThrownBy(() -> PprofReader.read(new byte[0], DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessage("pprof: no sample_type");
    }

    @Test
    void enforcesSampleStringAndLabelLimits() {
        byte[] bytes = handMade();
        assertThatThrownBy(() -> PprofReader.read(bytes, DecodeLimits.DEFAULT.withMaxSamples(1)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxSamples 1");
        assertThatThrownBy(() -> PprofReader.read(bytes, DecodeLimits.DEFAULT.withMaxStrings(3)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxStrings 3");
        assertThatThrownBy(() -> PprofReader.read(bytes, DecodeLimits.DEFAULT.withMaxLabelsPerSample(0)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxLabelsPerSample 0");
        assertThatThrownBy(() -> PprofReader.read(bytes, DecodeLimits.DEFAULT.withMaxDecompressedBytes(10)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("exceeds maxDecompressedBytes 10");
    }
}
