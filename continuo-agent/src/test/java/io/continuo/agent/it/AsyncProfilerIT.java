package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.DecodedProfile;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The opt-in async-profiler CPU engine in real child JVMs: it takes the CPU profile (JFR keeps the other
 * families), a bad library path falls back to JFR with one line, and the default engine never loads it.
 */
class AsyncProfilerIT {
    private static final String APP = WorkloadApp.class.getName();

    /** JDK 24+ restricts System.load (JEP 472): the app opts in to native code, as for any JNI library. */
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    @Test
    void asyncEngineOnJdk17() throws Exception {
        asyncEngine(System.getProperty("java.home"), List.of());
    }

    @Test
    void asyncEngineOnJdk25() throws Exception {
        asyncEngine(jdk25(), List.of(NATIVE_ACCESS));
    }

    @Test
    void badLibraryFallsBackToJfrOnJdk17() throws Exception {
        Path junk = Files.createTempFile("not-async-profiler", ".so");
        try {
            Files.writeString(junk, "this is not a shared library");
            fallback(System.getProperty("java.home"), List.of(),
                    Map.of("CONTINUO_ENGINE", "async", "CONTINUO_ASYNC_PROFILER_PATH", junk.toString()), junk.toString());
        } finally {
            Files.deleteIfExists(junk);
        }
    }

    @Test
    void badLibraryFallsBackToJfrOnJdk25() throws Exception {
        fallback(jdk25(), List.of(NATIVE_ACCESS, "-Dcontinuo.engine=async", "-Dcontinuo.asyncProfilerPath=/nonexistent/libasyncProfiler.so"),
                Map.of(), "/nonexistent/libasyncProfiler.so is not a file");
    }

    @Test
    void withoutNativeAccessJdk25FallsBackToJfrWithoutJvmWarnings() throws Exception {
        fallback(jdk25(), List.of(), Map.of("CONTINUO_ENGINE", "async"), NATIVE_ACCESS);
    }

    @Test
    void defaultEngineNeverLoadsAsyncClasses() throws Exception {
        ChildJvm.Result r = ChildJvm.run(System.getProperty("java.home"),
                List.of("-verbose:class", "-javaagent:" + ChildJvm.agentJar() + "=server=http://127.0.0.1:9,uploadInterval=1s"),
                ChildJvm.testClasspath(), WorkloadApp.class, List.of("2500"), Map.of(), 120);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("io.continuo.agent.AgentRuntime ", "io.continuo.agent.jfr.JfrEngine ", "done");
        assertThat(r.stdout()).doesNotContain("io.continuo.agent.async.", "one.profiler.");
    }

    private void asyncEngine(String javaHome, List<String> jvmArgs) throws Exception {
        try (Receiver receiver = new Receiver()) {
            List<String> args = new java.util.ArrayList<>(jvmArgs);
            args.add("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url()
                    + ",uploadInterval=1s,engine=async,logLevel=info");
            ChildJvm.Result r = ChildJvm.run(javaHome, args,
                    ChildJvm.testClasspath(), WorkloadApp.class, List.of("5000"), Map.of("OTEL_SERVICE_NAME", "it-async"), 120);
            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).contains("done");
            assertThat(r.stderrLines()).allMatch(l -> l.startsWith("[continuo] "));
            assertThat(r.stderr()).containsPattern("\\[continuo] CPU samples from async-profiler 4\\.1 event=(cpu|itimer) \\(bundled linux-");
            assertThat(r.stderr()).doesNotContain("unavailable", "failed", "internal error");
            // JFR keeps the other families; its execution sampler is off.
            assertThat(events(r)).containsExactlyInAnyOrder("jdk.ObjectAllocationSample", "jdk.JavaMonitorEnter",
                    "jdk.ThreadPark", "jdk.GarbageCollection", "jdk.OldObjectSample");

            List<DecodedProfile> cpu = receiver.decoded("cpu");
            assertThat(cpu).isNotEmpty();
            long total = 0;
            for (DecodedProfile p : cpu) {
                assertThat(p.comments).singleElement().asString().matches("engine=async-profiler 4\\.1 event=(cpu|itimer)");
                assertThat(p.sampleTypes).containsExactly(new String[] {"cpu", "nanoseconds"});
                assertThat(p.periodType).containsExactly("cpu", "nanoseconds");
                assertThat(p.period).isBetween(1_000_000L, 1_000_000_000L);
                for (DecodedProfile.Sample s : p.samples) {
                    assertThat(s.labels).containsKey("thread");
                    assertThat(s.values.get(0) % 1_000_000L).as("whole ms periods").isZero();
                    total += s.values.get(0);
                }
            }
            Map<String, Long> self = new HashMap<>();
            for (DecodedProfile p : cpu) p.selfByFunction("cpu").forEach((k, v) -> self.merge(k, v, Long::sum));
            assertThat(top(self)).isEqualTo(APP + ".burnCpu");
            assertThat(cpu.stream().flatMap(p -> p.samples.stream())
                    .filter(s -> s.frames.get(0).equals(APP + ".burnCpu")).map(s -> s.labels.get("thread")))
                    .allMatch(t -> t.startsWith("burner-"));
            // All threads on CPU are sampled, JVM threads with their native frames too.
            assertThat(cpu.stream().flatMap(p -> p.functions.values().stream().map(f -> p.s(f[2]))))
                    .contains("[native]");
            // Totals: the profile accounts for most of the process's CPU time (not more), at the right period.
            long processCpu = Long.parseLong(r.stdout().split("processCpuNanos=")[1].split("\n")[0].trim());
            assertThat(total).as("cpu profile total vs process CPU %d", processCpu)
                    .isBetween(processCpu / 2, processCpu + processCpu / 10);

            // The other families still come from JFR.
            assertThat(receiver.decoded("alloc_objects")).isNotEmpty();
            assertThat(receiver.decoded("contentions")).isNotEmpty();
            System.out.println("async IT (" + javaHome + "): cpu total " + total / 1_000_000 + " ms of process CPU "
                    + processCpu / 1_000_000 + " ms over " + cpu.size() + " profiles");
        }
    }

    private void fallback(String javaHome, List<String> jvmArgs, Map<String, String> env, String reason) throws Exception {
        try (Receiver receiver = new Receiver()) {
            List<String> args = new java.util.ArrayList<>(jvmArgs);
            args.add("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=1s");
            ChildJvm.Result r = ChildJvm.run(javaHome, args, ChildJvm.testClasspath(), WorkloadApp.class, List.of("4000"), env, 120);
            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).contains("done");
            assertThat(r.stderrLines()).as("exactly one line saying why").singleElement().asString()
                    .startsWith("[continuo] async-profiler unavailable, CPU samples from JFR: ")
                    .contains(reason);
            assertThat(events(r)).contains("jdk.ExecutionSample");
            List<DecodedProfile> cpu = receiver.decoded("cpu");
            assertThat(cpu).isNotEmpty();
            for (DecodedProfile p : cpu) assertThat(p.comments).containsExactly("engine=jfr");
            Map<String, Long> self = new HashMap<>();
            for (DecodedProfile p : cpu) p.selfByFunction("cpu").forEach((k, v) -> self.merge(k, v, Long::sum));
            assertThat(top(self)).isEqualTo(APP + ".burnCpu");
        }
    }

    private static List<String> events(ChildJvm.Result r) {
        return List.of(r.stdout().split("jfrEvents=")[1].split("\n")[0].trim().split(","));
    }

    private static String jdk25() {
        String home = System.getProperty("continuo.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64");
        if (!new File(home, "bin/java").canExecute()) {
            System.err.println("SKIPPED: JDK 25 not found at " + home + " (set -Djdk25.home=...)");
            Assumptions.abort("JDK 25 not found at " + home);
        }
        return home;
    }

    private static String top(Map<String, Long> m) {
        return m.entrySet().stream().max(Entry.comparingByValue()).map(Entry::getKey).orElse(null);
    }
}
