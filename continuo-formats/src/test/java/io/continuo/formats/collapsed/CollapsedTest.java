package io.continuo.formats.collapsed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.TestData;
import io.continuo.formats.pprof.PprofReader;
import io.continuo.model.FlameTree;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CollapsedTest {

    @Test
    void readsValuesCommentsBlankLinesAndSpacesInNames() {
        String text = "# comment\n\nmain;work;hash 120\r\nmain;work 5\nmain;java.lang.Thread.run (native) 7\nmain;work;hash 1\n";
        Profile p = CollapsedReader.read(text, ProfileType.CPU, DecodeLimits.DEFAULT);
        assertThat(p.total(0)).isEqualTo(133);
        assertThat(CollapsedWriter.toString(p, 0)).isEqualTo(
                "main;java.lang.Thread.run (native) 7\nmain;work 5\nmain;work;hash 121\n");
    }

    @Test
    void readsPyroscopeLines() {
        Profile p = CollapsedReader.readLines("a;b\na;b\na;c\n\n", ProfileType.CPU, DecodeLimits.DEFAULT);
        assertThat(CollapsedWriter.toString(p, 0)).isEqualTo("a;b 2\na;c 1\n");
    }

    @Test
    void badLinesNameTheLine() {
        assertThatThrownBy(() -> CollapsedReader.read("a;b 1\na;b x1\n", ProfileType.CPU, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class)
                .hasMessage("collapsed: invalid value 'x1' on line 2 at offset 10");
        assertThatThrownBy(() -> CollapsedReader.read("a;b\n", ProfileType.CPU, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("missing value").hasMessageContaining("line 1");
        String deep = "f;".repeat(100_000) + "leaf 1";
        assertThatThrownBy(() -> CollapsedReader.read(deep, ProfileType.CPU, DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxStackDepth 4096");
        assertThatThrownBy(() -> CollapsedReader.read("a 1\nb 1\n", ProfileType.CPU, DecodeLimits.DEFAULT.withMaxSamples(1)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxSamples");
    }

    @Test
    void roundTripsARealProfile() throws Exception {
        Profile pprof = PprofReader.read(TestData.bytes("go119.cpu.pb.gz"), DecodeLimits.DEFAULT);
        int cpu = pprof.typeIndex("cpu");
        String text = CollapsedWriter.toString(pprof, cpu);
        Profile back = CollapsedReader.read(text, ProfileType.CPU, DecodeLimits.DEFAULT);
        assertThat(back.total(0)).isEqualTo(pprof.total(cpu));
        assertThat(back.toFlameTree(0).topFunctions(0)).isEqualTo(pprof.toFlameTree(cpu).topFunctions(0));
        assertThat(CollapsedWriter.toString(back, 0)).isEqualTo(text);

        FlameTree tree = pprof.toFlameTree(cpu);
        StringWriter fromTree = new StringWriter();
        CollapsedWriter.write(tree, 0, fromTree);
        assertThat(fromTree.toString()).isEqualTo(text);
    }
}
