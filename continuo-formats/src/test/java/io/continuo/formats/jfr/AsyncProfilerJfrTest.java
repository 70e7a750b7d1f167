package io.continuo.formats.jfr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.NoSamplesException;
import io.continuo.formats.ProfileFormats;
import io.continuo.formats.TestData;
import io.continuo.formats.pyroscope.PyroscopeProtos;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * Uploads of the released Pyroscope Java agent (async-profiler's own JFR event types) in each of its modes, read as
 * the JDK's {@code jfr} tool reads them: {@code testdata/pyroscope-java.reference.txt} holds its counts and sums.
 * Values follow async-profiler's converter and Pyroscope's server: execution samples are worth the {@code interval}
 * setting, wall-clock events {@code samples} intervals each, TLAB allocations their {@code tlabSize}, monitor
 * enters their duration, live objects their size.
 */
class AsyncProfilerJfrTest {
    private static final long INTERVAL = 10_000_000L; // the recordings' jdk.ActiveSetting interval = 10000000

    private static List<Profile> read(String mode) {
        LongFunction<Labels> contexts = PyroscopeProtos.readLabelsSnapshot(
                TestData.bytes("pyroscope-java-" + mode + ".labels.pb"), DecodeLimits.DEFAULT).asFunction();
        return ProfileFormats.decode("jfr", TestData.bytes("pyroscope-java-" + mode + ".jfr.gz"),
                new ProfileFormats.Options(DecodeLimits.DEFAULT, ProfileType.CPU, 1, contexts));
    }

    private static Profile family(List<Profile> profiles, ProfileType type) {
        return JfrReaderTest.family(profiles, type);
    }

    /** Sum of one column by the value of one sample label. */
    private static Map<String, Long> byLabel(Profile p, ProfileType type, String label) {
        int t = p.typeIndex(type.name());
        Map<String, Long> out = new HashMap<>();
        for (int s = 0; s < p.sampleCount(); s++) {
            out.merge(String.valueOf(p.sampleLabels(s).get(label)), p.value(s, t), Long::sum);
        }
        return out;
    }

    @Test
    void itimerExecutionSamplesAreCpuWithDynamicLabels() {
        List<Profile> profiles = read("itimer");
        assertThat(profiles).extracting(p -> p.types().get(0)).containsExactly(ProfileType.CPU);
        Profile cpu = profiles.get(0);
        // reference: 172 jdk.ExecutionSample, none sleeping
        assertThat(cpu.total(0)).isEqualTo(172 * INTERVAL);
        assertThat(cpu.periodNanos()).isEqualTo(INTERVAL);
        // contextId 1 (endpoint=/checkout, the burner thread) 49, 2 (/alloc) 43, 3 and 5 (/lock) 33 + 24
        Map<String, Long> byEndpoint = byLabel(cpu, ProfileType.CPU, "endpoint");
        assertThat(byEndpoint).containsEntry("/checkout", 49 * INTERVAL).containsEntry("/alloc", 43 * INTERVAL)
                .containsEntry("/lock", 57 * INTERVAL).containsEntry("null", 23 * INTERVAL);
    }

    @Test
    void wallClockSamplesAreWallWorthTheirSampleCount() {
        List<Profile> profiles = read("wall");
        // reference: 683 profiler.WallClockSample events standing for 3358 samples; no execution samples
        assertThat(profiles).extracting(p -> p.types().get(0)).containsExactly(ProfileType.WALL);
        Profile wall = profiles.get(0);
        assertThat(wall.total(0)).isEqualTo(3358 * INTERVAL);
        assertThat(wall.periodNanos()).isEqualTo(INTERVAL);
        assertThat(byLabel(wall, ProfileType.WALL, Labels.THREAD)).containsKeys("burner", "sleeper", "contender-1");
        assertThat(wall.toFlameTree(0).topFunctions(0)).extracting(f -> f.name())
                .contains("LabelledWorkload.sleep", "LabelledWorkload.burn", "LabelledWorkload.contend");
    }

    @Test
    void lockModeHasMonitorEntersWithDurationsAndLabels() {
        List<Profile> profiles = read("lock");
        Profile cpu = family(profiles, ProfileType.CPU);
        assertThat(cpu.total(0)).isEqualTo(326 * INTERVAL);
        Profile lock = family(profiles, ProfileType.LOCK_DURATION);
        // reference: 87 jdk.JavaMonitorEnter, durations summing to 2225453897 ns, all under endpoint=/lock... by context
        assertThat(lock.total(lock.typeIndex("lock_count"))).isEqualTo(87);
        assertThat(lock.total(lock.typeIndex("lock_duration"))).isEqualTo(2_225_453_897L);
        assertThat(byLabel(lock, ProfileType.LOCK_DURATION, "endpoint").keySet()).isNotEmpty()
                .allMatch(e -> e.startsWith("/"));
    }

    @Test
    void liveModeHasAllocationsAndLiveObjects() {
        List<Profile> profiles = read("live");
        Profile alloc = family(profiles, ProfileType.ALLOC_BYTES);
        // reference: 684 jdk.ObjectAllocationInNewTLAB, tlabSize sum 179306496
        assertThat(alloc.total(alloc.typeIndex("alloc_bytes"))).isEqualTo(179_306_496L);
        assertThat(alloc.total(alloc.typeIndex("alloc_objects"))).isEqualTo(684);
        assertThat(byLabel(alloc, ProfileType.ALLOC_BYTES, "endpoint")).containsKey("/alloc");
        Profile live = family(profiles, ProfileType.INUSE_BYTES);
        // reference: 684 profiler.LiveObject, allocationSize sum 41772040
        assertThat(live.total(live.typeIndex("inuse_bytes"))).isEqualTo(41_772_040L);
        assertThat(live.total(live.typeIndex("inuse_objects"))).isEqualTo(684);
        assertThat(live.toFlameTree(0).topFunctions(0)).extracting(f -> f.name()).contains("LabelledWorkload.alloc", "byte[]");
        assertThat(family(profiles, ProfileType.CPU).total(0)).isEqualTo(147 * INTERVAL);
    }

    @Test
    void recordingWithoutSamplesIsRefusedNamingItsEventTypes() {
        assertThatThrownBy(() -> ProfileFormats.decode("jfr", TestData.bytes("pyroscope-java-no-samples.jfr.gz"),
                ProfileFormats.Options.of(DecodeLimits.DEFAULT)))
                .isInstanceOf(NoSamplesException.class)
                .hasMessageContaining("no profiling samples")
                .hasMessageContaining("jdk.ActiveSetting (22)")
                .hasMessageContaining("jdk.NativeLibrary");
    }
}
