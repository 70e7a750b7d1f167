package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuo.agent.pprof.DecodedProfile;
import java.io.File;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** (d): the real OpenTelemetry Java agent next to ours; CPU samples inside spans carry span labels. */
class TraceCorrelationIT {
    @Test
    void cpuSamplesInsideServerSpansCarrySpanTraceAndEndpoint() throws Exception {
        File libs = new File(System.getProperty("continuo.it.libs", "target/it-libs"));
        File otelAgent = new File(libs, "opentelemetry-javaagent.jar");
        if (!otelAgent.isFile()) {
            System.err.println("SKIPPED: OpenTelemetry Java agent not found at " + otelAgent);
            Assumptions.abort("OpenTelemetry Java agent not found at " + otelAgent);
        }
        String cp = String.join(File.pathSeparator, ChildJvm.testClasspath(),
                new File(libs, "opentelemetry-api.jar").getPath(), new File(libs, "opentelemetry-context.jar").getPath(),
                new File(libs, "opentelemetry-common.jar").getPath());
        try (Receiver receiver = new Receiver()) {
            Map<String, String> env = new HashMap<>();
            env.put("OTEL_SERVICE_NAME", "it-traced");
            // Spans are printed (java.util.logging to stderr) so the test can see which spans the app produced.
            env.put("OTEL_TRACES_EXPORTER", "console");
            env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
            env.put("OTEL_METRICS_EXPORTER", "none");
            env.put("OTEL_LOGS_EXPORTER", "none");
            ChildJvm.Result r = ChildJvm.run(System.getProperty("java.home"),
                    List.of("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=1s,adaptive=false",
                            "-javaagent:" + otelAgent.getPath()),
                    cp, TracedApp.class, List.of("5000"), env, 120);
            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).as("the OTel agent bridged the API").contains("validSpans=true");
            Set<String> traces = new HashSet<>(Arrays.asList(r.stdout().split("traces=")[1].trim().split(",")));

            long inSpan = 0;
            long labelled = 0;
            Set<String> endpoints = new HashSet<>();
            for (DecodedProfile p : receiver.decoded("cpu")) {
                for (DecodedProfile.Sample s : p.samples) {
                    if (!s.frames.contains(TracedApp.class.getName() + ".checkout")) continue;
                    inSpan += s.values.get(0);
                    if (s.labels.containsKey("span_id")) {
                        labelled += s.values.get(0);
                        assertThat(s.labels.get("span_id")).hasSize(16);
                        assertThat(traces).contains(s.labels.get("trace_id"));
                        endpoints.add(s.labels.get("endpoint"));
                    }
                }
                for (DecodedProfile.Sample s : p.samples) {
                    if (s.frames.contains(TracedApp.class.getName() + ".outsideAnySpan")
                            && !s.frames.contains(TracedApp.class.getName() + ".checkout")) {
                        // Outside spans no span label, except at the edges where clocks meet.
                        assertThat(s.labels.get("endpoint")).isIn(null, "GET /checkout");
                    }
                }
            }
            assertThat(inSpan).as("CPU samples inside spans").isPositive();
            assertThat(endpoints).containsExactly("GET /checkout");
            assertThat(labelled).as("labelled %d of %d ns", labelled, inSpan).isGreaterThan(inSpan * 9 / 10);

            // The agent's own uploads must not show up as client spans of the app (the OTel agent instruments
            // HttpURLConnection): the exporter printed the app's spans and none for the ingest URL.
            assertThat(receiver.requests).as("uploads happened").isNotEmpty();
            assertThat(r.stderr()).as("the console exporter printed the app's spans").contains("'GET /checkout'");
            assertThat(r.stderr().lines().filter(l -> l.contains("/api/v1/ingest") || l.contains("http-url-connection")
                    || l.contains(" CLIENT ")).toList()).as("spans of the agent's uploads").isEmpty();
        }
    }
}
