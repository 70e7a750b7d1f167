package io.continuo.agent.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.DecodedProfile;
import io.continuo.agent.pprof.PprofEncoder;
import io.continuo.agent.pprof.ProfileBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncEngineTest {
    private static ProfileBuilder cpu() {
        return new ProfileBuilder(new String[] {"cpu"}, new String[] {"nanoseconds"}, "cpu", "nanoseconds");
    }

    @Test
    void foldsCollapsedStacksLeafFirstWithPeriodValues() {
        ProfileBuilder b = cpu();
        String text = "[burner-1 tid=11];java/lang/Thread.run_[j];app/Work.burn_[j] 30\n"
                + "[burner-2 tid=12];java/lang/Thread.run_[j];app/Work.burn_[j] 20\n"
                + "[burner-1 tid=13];java/lang/Thread.run_[j];app/Work.burn_[j] 5\n" // same name, other tid: one row
                + "[io tid=14];app/Io.write_[j];__GI_write;ksys_write_[k] 2\n";
        assertThat(AsyncEngine.add(text, b, 10_000_000L, 64)).isEqualTo(57);
        b.setComment("engine=async-profiler 4.1 event=cpu");

        DecodedProfile p = DecodedProfile.parse(new PprofEncoder().encode(b, 1, 1));
        assertThat(p.comments).containsExactly("engine=async-profiler 4.1 event=cpu");
        assertThat(p.samples).hasSize(3);
        assertThat(p.total("cpu")).isEqualTo(57 * 10_000_000L);
        DecodedProfile.Sample burner1 = p.samples.stream().filter(s -> s.labels.get("thread").equals("burner-1")).findFirst().orElseThrow();
        assertThat(burner1.frames).containsExactly("app.Work.burn", "java.lang.Thread.run");
        assertThat(burner1.values).containsExactly(35 * 10_000_000L);
        DecodedProfile.Sample io = p.samples.stream().filter(s -> s.labels.get("thread").equals("io")).findFirst().orElseThrow();
        assertThat(io.frames).containsExactly("ksys_write_[k]", "__GI_write", "app.Io.write");
        assertThat(files(p, io)).containsExactly("[kernel]", "[native]", "app.Io");
    }

    @Test
    void deepStacksKeepLeafMostFramesAndEndTruncated() {
        ProfileBuilder b = cpu();
        AsyncEngine.add("[t tid=1];root_[j];a_[j];b_[j];leaf_[j] 1\n", b, 1_000_000L, 2);
        DecodedProfile p = DecodedProfile.parse(new PprofEncoder().encode(b, 1, 1));
        assertThat(p.samples.get(0).frames).containsExactly("leaf", "b", "[truncated]");
    }

    private static List<String> files(DecodedProfile p, DecodedProfile.Sample s) {
        return s.locationIds.stream().map(l -> p.s(p.functions.get(p.locations.get(l)[0])[2])).toList();
    }
}
