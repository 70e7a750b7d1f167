package io.continuo.formats.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.formats.DecodeLimits;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code profiler.*} spellings of execution, lock and allocation events (async-profiler forks and converters),
 * recorded here with the layouts JFR gives user events (no {@code sampledThread}, sizes under other names): read as
 * their {@code jdk.*} namesakes are.
 */
class ProfilerEventNamesTest {
    @Name("profiler.ExecutionSample")
    @StackTrace(true)
    static final class ExecutionSample extends Event {
    }

    @Name("profiler.JavaMonitorEnter")
    @StackTrace(true)
    static final class MonitorEnter extends Event {
    }

    @Name("profiler.AllocSample")
    @StackTrace(true)
    static final class AllocSample extends Event {
        long allocationSize;
    }

    @Test
    void profilerSpellingsAreReadLikeTheJdkEvents(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ap.jfr");
        try (Recording r = new Recording()) {
            r.enable(ExecutionSample.class);
            r.enable(MonitorEnter.class);
            r.enable(AllocSample.class);
            r.start();
            for (int i = 0; i < 3; i++) {
                new ExecutionSample().commit();
            }
            MonitorEnter lock = new MonitorEnter();
            lock.begin();
            long until = System.nanoTime() + 2_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            lock.end();
            lock.commit();
            for (int i = 0; i < 2; i++) {
                AllocSample a = new AllocSample();
                a.allocationSize = 100;
                a.commit();
            }
            r.stop();
            r.dump(file);
        }
        List<Profile> profiles = JfrReader.read(Files.readAllBytes(file), DecodeLimits.DEFAULT);
        Profile cpu = JfrReaderTest.family(profiles, ProfileType.CPU);
        assertThat(cpu.total(0)).isEqualTo(3 * JfrReader.DEFAULT_EXECUTION_PERIOD_NANOS);
        assertThat(cpu.labelSets()).contains(Labels.of(Labels.THREAD, Thread.currentThread().getName()));
        Profile lock = JfrReaderTest.family(profiles, ProfileType.LOCK_COUNT);
        assertThat(lock.total(lock.typeIndex("lock_count"))).isEqualTo(1);
        assertThat(lock.total(lock.typeIndex("lock_duration"))).isGreaterThanOrEqualTo(2_000_000L);
        Profile alloc = JfrReaderTest.family(profiles, ProfileType.ALLOC_BYTES);
        assertThat(alloc.total(alloc.typeIndex("alloc_bytes"))).isEqualTo(200);
        assertThat(alloc.total(alloc.typeIndex("alloc_objects"))).isEqualTo(2);
    }
}
