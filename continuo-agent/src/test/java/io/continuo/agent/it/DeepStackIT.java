package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.DecodedProfile;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Whole stacks by default: the agent with no settings keeps 512 frames on the JFR engine (it raises JFR's own
 * depth, 64 by default, before recording), so a 300-frame stack arrives whole, without a {@code [truncated]} root.
 * Before, every such sample had 64 frames and a {@code [truncated]} frame.
 */
class DeepStackIT {
    private static final int DEPTH = 300;
    private static final int MIN_SAMPLES = 20;
    private static final long DEADLINE_NANOS = 120_000_000_000L;

    @Test
    void deepStacksArriveWholeOnJdk17() throws Exception {
        run(System.getProperty("java.home"));
    }

    @Test
    void deepStacksArriveWholeOnJdk25() throws Exception {
        String home = System.getProperty("continuo.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64");
        if (!new File(home, "bin/java").canExecute()) {
            System.err.println("SKIPPED: JDK 25 not found at " + home + " (set -Djdk25.home=...)");
            Assumptions.abort("JDK 25 not found at " + home);
        }
        run(home);
    }

    private void run(String javaHome) throws Exception {
        Path stop = Files.createTempFile("continuo-deep", ".stop");
        Files.delete(stop);
        try (Receiver receiver = new Receiver()) {
            ChildJvm.Running child = ChildJvm.start(javaHome,
                    List.of("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=1s"),
                    ChildJvm.testClasspath(), DeepStackApp.class, List.of(stop.toString(), String.valueOf(DEPTH)), Map.of());
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (child.process.isAlive() && System.nanoTime() < deadline && bottomSamples(receiver).size() < MIN_SAMPLES) {
                Thread.sleep(300);
            }
            Files.createFile(stop);
            ChildJvm.Result r = child.waitFor(60);
            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            List<DecodedProfile.Sample> samples = bottomSamples(receiver);
            assertThat(samples).as("CPU samples at the bottom of the recursion").hasSizeGreaterThanOrEqualTo(MIN_SAMPLES);
            for (DecodedProfile.Sample s : samples) {
                assertThat(s.frames).as("a whole stack").doesNotContain("[truncated]");
                assertThat(s.frames.stream().filter(f -> f.equals(DeepStackApp.class.getName() + ".descend")).count())
                        .isEqualTo(DEPTH + 1);
                assertThat(s.frames.get(s.frames.size() - 1)).as("root frame").isEqualTo(DeepStackApp.class.getName() + ".main");
            }
        } finally {
            Files.deleteIfExists(stop);
        }
    }

    private static List<DecodedProfile.Sample> bottomSamples(Receiver receiver) {
        return receiver.decoded("cpu").stream().flatMap(p -> p.samples.stream())
                .filter(s -> s.frames.contains(DeepStackApp.class.getName() + ".bottom")).toList();
    }
}
