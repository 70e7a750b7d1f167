package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.DecodedProfile;
import java.io.File;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A process that lives shorter than one upload interval still delivers its profile, from the exit hook. */
class ExitFlushIT {
    @Test
    void shortLivedProcessDeliversItsCpuProfileAtExitOnJdk17() throws Exception {
        exitFlush(System.getProperty("java.home"));
    }

    @Test
    void shortLivedProcessDeliversItsCpuProfileAtExitOnJdk25() throws Exception {
        String home = System.getProperty("continuo.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64");
        if (!new File(home, "bin/java").canExecute()) {
            System.err.println("SKIPPED: JDK 25 not found at " + home);
            Assumptions.abort("JDK 25 not found at " + home);
        }
        exitFlush(home);
    }

    private void exitFlush(String javaHome) throws Exception {
        try (Receiver receiver = new Receiver()) {
            long t0 = System.nanoTime();
            ChildJvm.Result r = ChildJvm.run(javaHome,
                    List.of("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=30s"),
                    ChildJvm.testClasspath(), ShortLivedApp.class, List.of("3000"), Map.of(), 60);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            long doneAt = Long.parseLong(r.stdout().split("done at ")[1].trim());
            long exitedAt = System.currentTimeMillis();

            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stderr()).as("the agent is quiet by default").isEmpty();
            assertThat(elapsedMs).as("the run is shorter than one upload interval").isLessThan(30_000);
            // The hook itself is bounded by 2 s; the rest is JVM teardown on a possibly loaded machine.
            assertThat(exitedAt - doneAt).as("the exit flush holds the exit at most about 2 s").isLessThan(8_000);

            List<DecodedProfile> cpu = receiver.decoded("cpu");
            assertThat(cpu).as("one CPU profile, sent at exit").hasSize(1);
            Map<String, Long> self = cpu.get(0).selfByFunction("cpu");
            String top = self.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
            assertThat(top).as("CPU by function: %s", self).isEqualTo(WorkloadApp.class.getName() + ".burnCpu");
            assertThat(cpu.get(0).durationNanos).isPositive();
            assertThat(receiver.requests.stream().filter(Receiver.Request::isMetrics)).as("and its metrics point").hasSize(1);
        }
    }
}
