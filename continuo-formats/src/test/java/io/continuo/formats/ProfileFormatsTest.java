package io.continuo.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: detection, names, and the value checks every format gets. */
class ProfileFormatsTest {
    private static final ProfileFormats.Options OPTIONS = ProfileFormats.Options.of(DecodeLimits.DEFAULT);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void detectsEachFormatByItsFirstBytes() {
        assertThat(ProfileFormats.detect(TestData.bytes("go119.cpu.pb.gz"), DecodeLimits.DEFAULT)).isEqualTo(ProfileFormats.PPROF);
        assertThat(ProfileFormats.detect(TestData.bytes("jdk17-profile.jfr"), DecodeLimits.DEFAULT)).isEqualTo(ProfileFormats.JFR);
        assertThat(ProfileFormats.detect(TestData.bytes("pyroscope-java-wall.jfr.gz"), DecodeLimits.DEFAULT)).isEqualTo(ProfileFormats.JFR);
        assertThat(ProfileFormats.detect(utf8("main;work 12\n"), DecodeLimits.DEFAULT)).isEqualTo(ProfileFormats.COLLAPSED);
        assertThat(ProfileFormats.decode((String) null, utf8("main;work 12\nmain;idle 3\n"), OPTIONS).get(0).total(0)).isEqualTo(15);
    }

    @Test
    void namesAndAliasesResolveAndUnknownNamesAreRefused() {
        assertThat(ProfileFormats.byName("folded")).isEqualTo(ProfileFormats.COLLAPSED);
        assertThat(ProfileFormats.byName("JFR")).isEqualTo(ProfileFormats.JFR);
        assertThatThrownBy(() -> ProfileFormats.byName("speedscope")).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("unsupported format 'speedscope'").hasMessageContaining("pprof").hasMessageContaining("folded");
    }

    @Test
    void negativeValuesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("main;work 10\nmain;bad -5\n"), OPTIONS))
                .isInstanceOf(ProfileFormatException.class).isNotInstanceOf(NoSamplesException.class)
                .hasMessageContaining("collapsed: negative sample value -5 of type cpu");
    }

    @Test
    void valuesPastTheSafeTotalAreRefusedInsteadOfWrapping() {
        String max = Long.toString(Long.MAX_VALUE);
        // two different stacks: their sum overflows a long
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("a;b " + max + "\na;c " + max + "\n"), OPTIONS))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("2^53-1");
        // the same stack twice: the builder's merge would wrap to -2
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("a;b " + max + "\na;b " + max + "\n"), OPTIONS))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("overflow");
        // one value alone past 2^53-1
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("a;b " + max + "\n"), OPTIONS))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("(value " + max + ")");
        // a sample-count multiplier that overflows
        ProfileFormats.Options perSample = new ProfileFormats.Options(DecodeLimits.DEFAULT, ProfileType.CPU, 10_000_000L, null);
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("a;b 9000000000000000000\n"), perSample))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("overflow");
        assertThat(ProfileFormats.decode("collapsed", utf8("a;b " + SampleValues.MAX_TOTAL + "\n"), OPTIONS).get(0).total(0))
                .isEqualTo(SampleValues.MAX_TOTAL);
    }

    @Test
    void uploadsWithNothingToStoreAreRefusedInEveryFormat() {
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("main;work 0\n"), OPTIONS))
                .isInstanceOf(NoSamplesException.class).hasMessageContaining("no samples with a non-zero value");
        assertThatThrownBy(() -> ProfileFormats.decode("collapsed", utf8("\n\n"), OPTIONS))
                .isInstanceOf(NoSamplesException.class);
        // a pprof with a sample type and no samples (an idle period)
        byte[] emptyPprof = new Pb().message(1, new Pb().varint(1, 1).varint(2, 2))
                .string(6, "").string(6, "cpu").string(6, "nanoseconds").toBytes();
        assertThatThrownBy(() -> ProfileFormats.decode("pprof", emptyPprof, OPTIONS))
                .isInstanceOf(NoSamplesException.class).hasMessageContaining("pprof: ").hasMessageContaining("0 samples of cpu");
    }

    @Test
    void goldenFilesStillDecode() {
        List<Profile> heap = ProfileFormats.decode("pprof", TestData.bytes("go119.heap.pb.gz"), OPTIONS);
        assertThat(heap.get(0).types()).extracting(ProfileType::name).contains("inuse_bytes", "alloc_bytes");
    }
}
