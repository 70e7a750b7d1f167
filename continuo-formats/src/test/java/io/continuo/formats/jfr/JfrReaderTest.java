package io.continuo.formats.jfr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.FuzzTest;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.TestData;
import io.continuo.model.FunctionStat;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrReaderTest {

    static Profile family(List<Profile> profiles, ProfileType type) {
        return profiles.stream().filter(p -> p.types().contains(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " profile"));
    }

    static long sampleEvents(Profile p, int countColumn, long perEvent) {
        return p.total(countColumn) / perEvent;
    }

    @Test
    void goldenRecordingMatchesJfrSummary() {
        List<Profile> profiles = JfrReader.read(TestData.bytes("jdk17-profile.jfr"), DecodeLimits.DEFAULT);
        // jfr summary: 1057 jdk.ExecutionSample, 1800 jdk.ObjectAllocationSample, no lock or exception events
        assertThat(profiles).extracting(p -> p.types().get(0))
                .containsExactly(ProfileType.CPU, ProfileType.ALLOC_BYTES);
        Profile cpu = family(profiles, ProfileType.CPU);
        assertThat(cpu.periodNanos()).isEqualTo(10_000_000L); // profile settings: jdk.ExecutionSample#period = 10 ms
        assertThat(cpu.total(0)).isEqualTo(1057L * 10_000_000L);
        assertThat(cpu.durationNanos()).isBetween(1_000_000_000L, 10_000_000_000L);
        Profile alloc = family(profiles, ProfileType.ALLOC_BYTES);
        assertThat(alloc.total(alloc.typeIndex("alloc_objects"))).isEqualTo(1800);
        assertThat(alloc.total(alloc.typeIndex("alloc_bytes"))).isPositive();

        List<FunctionStat> top = cpu.toFlameTree(0).topFunctions(0);
        // Workload.work (sorting, map churn, string building) holds nearly all CPU; its callees lead self time
        FunctionStat work = top.stream().filter(s -> s.name().equals("Workload.work")).findFirst().orElseThrow();
        assertThat(work.total()).isGreaterThan(cpu.total(0) * 9 / 10);
        assertThat(top.stream().filter(s -> s.name().startsWith("Workload.lambda$main")).findFirst()).isPresent();
        List<String> topNames = top.subList(0, 5).stream().map(FunctionStat::name).toList();
        assertThat(topNames).contains("java.util.DualPivotQuicksort.mixedInsertionSort");
        assertThat(topNames).allMatch(n -> n.startsWith("java.") || n.startsWith("Workload"));
        assertThat(cpu.labelSets()).allMatch(l -> l.isEmpty() || l.get(Labels.THREAD).startsWith("pool-1-thread-"));

        List<String> allocLeaves = new ArrayList<>();
        alloc.toFlameTree(0).topFunctions(0).forEach(s -> {
            if (s.self() > 0) {
                allocLeaves.add(s.name());
            }
        });
        assertThat(allocLeaves).contains("byte[]", "int[]", "java.lang.String", "java.util.HashMap$Node[]");
    }

    @Test
    void recordsAChildJvmAndFindsTheBurner(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("burn.jfr");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dcontinuo.secret.property=s3cr3t-property-value",
                "-cp", System.getProperty("java.class.path"), CpuBurner.class.getName(), "1500");
        pb.environment().put("CONTINUO_TEST_SECRET", "s3cr3t-env-value");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        Process process = pb.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();

        byte[] bytes = Files.readAllBytes(jfr);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("s3cr3t-env-value");
        List<Profile> profiles = JfrReader.read(bytes, DecodeLimits.DEFAULT);
        Profile cpu = family(profiles, ProfileType.CPU);
        List<FunctionStat> top = cpu.toFlameTree(0).topFunctions(0);
        assertThat(top.get(0).name()).isEqualTo(CpuBurner.class.getName() + ".burnCpu");
        assertThat(cpu.labelSets()).contains(Labels.of("thread", "main"));
        // SECURITY: the recording holds the environment and system properties; nothing of them comes out
        for (Profile p : profiles) {
            assertThat(p.types()).allMatch(t -> List.of("cpu", "wall", "alloc_bytes", "alloc_objects", "lock_count",
                    "lock_duration", "exceptions").contains(t.name()));
            for (int f = 0; f < p.frames().size(); f++) {
                assertThat(p.frames().get(f).name()).doesNotContain("s3cr3t");
            }
            assertThat(p.labelSets().toString()).doesNotContain("s3cr3t");
        }
        assertThat(JfrReader.read(jfr, DecodeLimits.DEFAULT, null)).hasSameSizeAs(profiles);
        // the streaming parser and the JDK's RecordingFile agree on a recording made now, by this JDK
        JfrParity.assertSameAsRecordingFile(bytes, null);
    }

    @Test
    void environmentOnlyRecordingProducesNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("env.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.InitialEnvironmentVariable");
            r.enable("jdk.InitialSystemProperty");
            r.enable("jdk.JVMInformation");
            r.enable("jdk.OSInformation");
            r.start();
            r.stop();
            r.dump(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes.length).isGreaterThan(1000);
        // nothing to store is an error that names the event types, never their fields (the environment stays out)
        assertThatThrownBy(() -> JfrReader.read(bytes, DecodeLimits.DEFAULT))
                .isInstanceOf(io.continuo.formats.NoSamplesException.class)
                .hasMessageContaining("jdk.InitialEnvironmentVariable (")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(System.getenv().getOrDefault("PATH", "/usr/bin")));
    }

    @Test
    void lockProfileIsContentionNotIdleWaiting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("locks.jfr");
        ReentrantLock lock = new ReentrantLock();
        BlockingQueue<Runnable> idle = new LinkedBlockingQueue<>();
        try (Recording r = new Recording()) {
            r.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(5)).withStackTrace();
            r.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofMillis(5)).withStackTrace();
            r.start();
            Thread waiter = new Thread(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        idle.poll(20, TimeUnit.MILLISECONDS); // an idle worker waiting for work
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            Thread[] contenders = new Thread[2];
            for (int t = 0; t < contenders.length; t++) {
                contenders[t] = new Thread(() -> {
                    for (int i = 0; i < 10; i++) {
                        holdLockBriefly(lock);
                    }
                });
                contenders[t].start();
            }
            for (Thread t : contenders) {
                t.join();
            }
            waiter.join();
            r.stop();
            r.dump(file);
        }
        List<String> lockFunctions = family(JfrParity.assertSameAsRecordingFile(Files.readAllBytes(file), null), ProfileType.LOCK_COUNT)
                .toFlameTree(0).topFunctions(0).stream().map(FunctionStat::name).toList();
        assertThat(lockFunctions).contains(JfrReaderTest.class.getName() + ".holdLockBriefly")
                .noneMatch(n -> n.startsWith("java.util.concurrent.LinkedBlockingQueue.poll"));
    }

    private static void holdLockBriefly(ReentrantLock lock) {
        lock.lock();
        try {
            Thread.sleep(15);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void limitsApplyToEventsAndStackDepth() {
        byte[] bytes = TestData.bytes("jdk17-profile.jfr");
        assertThatThrownBy(() -> JfrReader.read(bytes, DecodeLimits.DEFAULT.withMaxSamples(100)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("maxSamples 100");
        assertThatThrownBy(() -> JfrReader.read(bytes, DecodeLimits.DEFAULT.withMaxStackDepth(3)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("jfr: stack deeper than maxStackDepth 3");
    }

    @Test
    void rejectsForeignTruncatedAndCorruptInput() {
        assertThatThrownBy(() -> JfrReader.read("not a recording at all, just some text to be long enough for a header...".getBytes(), DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessage("jfr: not a JFR recording (bad magic) at offset 0");
        byte[] bytes = TestData.bytes("jdk17-profile.jfr");
        assertThatThrownBy(() -> JfrReader.read(Arrays.copyOf(bytes, bytes.length - 100), DecodeLimits.DEFAULT))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("truncated recording");
        int rejected = FuzzTest.fuzz(bytes, 20, 400, b -> JfrReader.read(b, DecodeLimits.DEFAULT));
        assertThat(rejected).isGreaterThanOrEqualTo(10);
    }

    @Test
    void javaNamesOfArrayDescriptors() {
        assertThat(JfrReader.javaName("[B")).isEqualTo("byte[]");
        assertThat(JfrReader.javaName("[[I")).isEqualTo("int[][]");
        assertThat(JfrReader.javaName("[Ljava.lang.String;")).isEqualTo("java.lang.String[]");
        assertThat(JfrReader.javaName("java.util.HashMap$Node")).isEqualTo("java.util.HashMap$Node");
        assertThat(JfrReader.parseDuration("10 ms")).isEqualTo(10_000_000L);
        assertThat(JfrReader.parseDuration("20ms")).isEqualTo(20_000_000L);
        assertThat(JfrReader.parseDuration("1 s")).isEqualTo(1_000_000_000L);
        assertThat(JfrReader.parseDuration("everyChunk")).isEqualTo(-1);
    }
}
