package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.DecodedProfile;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** (a) and (e): a real child JVM with the agent jar, uploads decoded and checked by what they say. */
class ProfilingIT {
    private static final String APP = WorkloadApp.class.getName();

    @Test
    void profilesCpuAllocationAndLocksOnJdk17() throws Exception {
        profileWorkload(System.getProperty("java.home"));
    }

    @Test
    void profilesCpuAllocationAndLocksOnJdk25() throws Exception {
        String home = System.getProperty("continuo.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64");
        if (!new File(home, "bin/java").canExecute()) {
            System.err.println("SKIPPED: JDK 25 not found at " + home + " (set -Djdk25.home=...)");
            Assumptions.abort("JDK 25 not found at " + home);
        }
        profileWorkload(home);
    }

    private void profileWorkload(String javaHome) throws Exception {
        try (Receiver receiver = new Receiver()) {
            Map<String, String> env = new HashMap<>();
            env.put("OTEL_SERVICE_NAME", "it-workload");
            env.put("HOSTNAME", "it-host-1");
            env.put("CONTINUO_LABELS", "team=profiling");
            ChildJvm.Result r = ChildJvm.run(javaHome,
                    List.of("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=1s",
                            "-Dcontinuo.version=1.2.3"),
                    ChildJvm.testClasspath(), WorkloadApp.class, List.of("5000"), env, 120);

            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).contains("done");
            assertThat(r.stderr()).as("the agent is quiet by default").isEmpty();
            String events = r.stdout().split("jfrEvents=")[1].split("\n")[0].trim();
            assertThat(events.split(",")).as("only profiling events are ever enabled")
                    .containsExactlyInAnyOrder("jdk.ExecutionSample", "jdk.ObjectAllocationSample",
                            "jdk.JavaMonitorEnter", "jdk.ThreadPark", "jdk.GarbageCollection", "jdk.OldObjectSample");

            List<Receiver.Request> profiles = receiver.requests.stream().filter(Receiver.Request::isProfile).toList();
            assertThat(profiles).isNotEmpty();
            for (Receiver.Request req : receiver.requests) {
                assertThat(req.query()).containsEntry("service", "it-workload").containsEntry("version", "1.2.3")
                        .containsEntry("instance", "it-host-1").containsEntry("team", "profiling");
                assertThat(req.header("Content-Encoding")).isNull();
            }
            for (Receiver.Request req : profiles) {
                assertThat(req.query()).containsEntry("format", "pprof").containsKeys("from", "until");
                assertThat(Long.parseLong(req.query().get("until"))).isGreaterThanOrEqualTo(Long.parseLong(req.query().get("from")));
                assertThat(req.header("Content-Type")).isEqualTo("application/octet-stream");
            }

            // CPU: the burning method leads by self time, and values are the sampling period in ns.
            List<DecodedProfile> cpu = receiver.decoded("cpu");
            assertThat(cpu).isNotEmpty();
            Map<String, Long> cpuSelf = merge(cpu, p -> p.selfByFunction("cpu"));
            assertThat(top(cpuSelf)).isEqualTo(APP + ".burnCpu");
            for (DecodedProfile p : cpu) {
                assertThat(p.sampleTypes).containsExactly(new String[] {"cpu", "nanoseconds"});
                assertThat(p.periodType).containsExactly("cpu", "nanoseconds");
                assertThat(p.period).isBetween(1_000_000L, 1_000_000_000L);
                assertThat(p.timeNanos).isPositive();
                assertThat(p.durationNanos).isPositive();
                for (DecodedProfile.Sample s : p.samples) {
                    assertThat(s.labels).containsKey("thread");
                    assertThat(s.values.get(0) % 1_000_000L).as("a whole number of ms periods").isZero();
                }
            }
            assertThat(cpu.stream().flatMap(p -> p.samples.stream())
                    .filter(s -> s.frames.get(0).equals(APP + ".burnCpu")).map(s -> s.labels.get("thread")))
                    .allMatch(t -> t.startsWith("burner-"));

            // Allocation: the allocated class is the leaf frame, the allocating method right under it.
            List<DecodedProfile> alloc = receiver.decoded("alloc_objects");
            assertThat(alloc).isNotEmpty();
            assertThat(alloc.get(0).sampleTypes).containsExactly(new String[] {"alloc_objects", "count"},
                    new String[] {"alloc_space", "bytes"});
            Map<String, Long> allocByMethod = new HashMap<>();
            Map<String, Long> allocByClass = new HashMap<>();
            for (DecodedProfile p : alloc) {
                int space = p.typeIndex("alloc_space");
                for (DecodedProfile.Sample s : p.samples) {
                    allocByClass.merge(s.frames.get(0), s.values.get(space), Long::sum);
                    if (s.frames.size() > 1) allocByMethod.merge(s.frames.get(1), s.values.get(space), Long::sum);
                }
            }
            assertThat(top(allocByClass)).isEqualTo("byte[]");
            assertThat(top(allocByMethod)).isEqualTo(APP + ".allocate");

            // Locks: the contended method leads by delay.
            List<DecodedProfile> lock = receiver.decoded("contentions");
            assertThat(lock).isNotEmpty();
            assertThat(lock.get(0).sampleTypes).containsExactly(new String[] {"contentions", "count"},
                    new String[] {"delay", "nanoseconds"});
            assertThat(top(merge(lock, p -> p.selfByFunction("delay")))).isEqualTo(APP + ".contendedLock");
            // a ReentrantLock's parks are contention; an idle pool worker's wait for its next task is not
            List<List<String>> lockStacks = lock.stream().flatMap(p -> p.samples.stream()).map(s -> s.frames).toList();
            assertThat(lockStacks).anySatisfy(f -> assertThat(f).contains(APP + ".contendedReentrantLock"));
            assertThat(lockStacks).noneSatisfy(f -> assertThat(f).contains("java.util.concurrent.ThreadPoolExecutor.getTask"));

            // Runtime and agent metrics.
            List<Receiver.Request> metrics = receiver.requests.stream().filter(Receiver.Request::isMetrics).toList();
            assertThat(metrics).isNotEmpty();
            String json = new String(metrics.get(metrics.size() - 1).body());
            assertThat(json).startsWith("{\"points\":[{\"timestamp\":").contains("\"process_cpu_ratio\":",
                    "\"heap_used_after_gc_bytes\":", "\"gc_pause_ns\":", "\"alloc_rate_bytes_per_second\":",
                    "\"live_threads\":", "\"agent_cpu_budget_ratio\":0.01", "\"cpu_sampling_period_ns\":");
            assertThat(metrics.get(0).header("Content-Type")).isEqualTo("application/json");
        }
    }

    private static Map<String, Long> merge(List<DecodedProfile> ps, java.util.function.Function<DecodedProfile, Map<String, Long>> f) {
        Map<String, Long> out = new HashMap<>();
        for (DecodedProfile p : ps) f.apply(p).forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }

    private static String top(Map<String, Long> m) {
        return m.entrySet().stream().max(Entry.comparingByValue()).map(Entry::getKey).orElse(null);
    }
}
