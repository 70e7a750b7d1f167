package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The released Pyroscope Java agent ({@code io.pyroscope:agent} from Maven Central), unmodified, sending to our
 * server through a proxy that keeps its uploads: in itimer and wall mode, each with allocation and lock profiling,
 * every profile type arrives with the total the agent sent (read from its JFR by the JDK's parser, within 1%), the
 * right functions, its static labels and its dynamic labels (Pyroscope's {@code LabelsWrapper}).
 */
class PyroscopeAgentTest {
    private static final int SECONDS = 15;

    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    static Path agentJar() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.replace('\\', '/').contains("/io/pyroscope/agent/")) {
                return Path.of(entry);
            }
        }
        return null;
    }

    @ParameterizedTest(name = "PYROSCOPE_PROFILER_EVENT={0}")
    @ValueSource(strings = {"wall", "itimer"})
    void everyProfileTypeArrivesWithTheTotalTheAgentSentAndItsLabels(String event) throws Exception {
        Path agent = agentJar();
        Assumptions.assumeTrue(agent != null && Files.exists(agent), "io.pyroscope:agent jar not on the test classpath");
        String app = "pyro-" + event;
        try (TestServer server = new TestServer(dataDir); CapturingProxy proxy = new CapturingProxy(server.base())) {
            // a fresh server's first JFR upload loads the JDK's JFR parser and warms the store: do it before the
            // agent's first upload, whose exporter would otherwise wait on it while the short-lived app exits
            TestServer.Response warm = server.post("/ingest?name=warm-up&format=jfr",
                    io.continuo.server.TestData.bytes("pyroscope-java-itimer.jfr.gz"));
            assertThat(warm.status()).as(warm.toString()).isEqualTo(200);
            String testClasses = Path.of(LabelledWorkloadApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-javaagent:" + agent, "-cp", testClasses, LabelledWorkloadApp.class.getName(), Integer.toString(SECONDS)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("app.log").toFile());
            Map<String, String> env = pb.environment();
            env.put("PYROSCOPE_APPLICATION_NAME", app);
            env.put("PYROSCOPE_SERVER_ADDRESS", proxy.base());
            env.put("PYROSCOPE_PROFILER_EVENT", event);
            env.put("PYROSCOPE_PROFILER_ALLOC", "256k");
            env.put("PYROSCOPE_PROFILER_LOCK", "1ms");
            env.put("PYROSCOPE_UPLOAD_INTERVAL", "3s");
            env.put("PYROSCOPE_FORMAT", "jfr");
            env.put("PYROSCOPE_LABELS", "env=test,region=local");
            env.put("PYROSCOPE_LOG_LEVEL", "debug");
            Process process = pb.start();
            int exit = process.waitFor();
            String log = Files.readString(work.resolve("app.log"));
            assertThat(exit).as(log).isZero();
            proxy.awaitIdle(java.time.Duration.ofSeconds(60));

            // what the agent sent and we acknowledged, read without our reader
            Map<String, Long> sent = new HashMap<>();
            int accepted = 0;
            for (CapturingProxy.Exchange x : proxy.exchanges()) {
                assertThat(x.pathAndQuery()).startsWith("/ingest?");
                if (x.status() == 200) {
                    accepted++;
                    JfrReference.totals(JfrReference.jfrPart(x.contentType(), x.body()), work)
                            .forEach((type, v) -> sent.merge(type, v, Long::sum));
                } else {
                    // only an upload with nothing in it may be refused, and it must say so
                    assertThat(x.status()).as(x.answer()).isEqualTo(422);
                    assertThat(x.answer()).contains("no profiling samples");
                }
            }
            assertThat(accepted).as(log + "\nexchanges: " + proxy.exchanges().stream()
                    .map(x -> x.status() + " " + x.answer()).toList()).isGreaterThanOrEqualTo(2);
            String timeType = event.equals("wall") ? "wall" : "cpu";
            assertThat(sent).as("types the agent sent").containsKeys(timeType, "alloc_bytes", "alloc_objects", "lock_duration", "lock_count");

            String sel = "{service=\"" + app + "\",env=\"test\",region=\"local\"}";
            for (Map.Entry<String, Long> e : sent.entrySet()) {
                long stored = total(server, e.getKey(), sel);
                assertThat((double) stored).as(e.getKey() + " stored vs sent").isCloseTo(e.getValue(), within(e.getValue() * 0.01));
            }

            assertThat(names(server, timeType, sel)).as(log).contains("io.continuo.server.it.WorkloadApp.burnCpu");
            assertThat(names(server, "alloc_bytes", sel)).contains("io.continuo.server.it.WorkloadApp.allocate");
            assertThat(names(server, "lock_duration", sel)).contains("io.continuo.server.it.WorkloadApp.contend");
            // dynamic labels: each thread's work under its endpoint (async-profiler's wall-clock events carry no
            // context id, so in wall mode only allocations and locks have them, as in Pyroscope's own server)
            if (!event.equals("wall")) {
                assertThat(names(server, timeType, "{service=\"" + app + "\",endpoint=\"/checkout\"}"))
                        .contains("io.continuo.server.it.WorkloadApp.burnCpu").doesNotContain("io.continuo.server.it.WorkloadApp.contend");
            }
            assertThat(names(server, "alloc_bytes", "{service=\"" + app + "\",endpoint=\"/alloc\"}"))
                    .contains("io.continuo.server.it.WorkloadApp.allocate");
            assertThat(names(server, "lock_duration", "{service=\"" + app + "\",endpoint=\"/lock\"}"))
                    .contains("io.continuo.server.it.WorkloadApp.contend");
            if (event.equals("wall")) {
                // wall time covers threads that do not run: the sleeper is there for the whole run
                assertThat(total(server, "wall", "{service=\"" + app + "\",thread=\"sleeper\"}")).isPositive();
            }
        }
    }

    private static String range(String selector) {
        return "&query=" + URLEncoder.encode(selector, StandardCharsets.UTF_8) + "&from=now-10m&until=now%2B1m";
    }

    private static long total(TestServer server, String type, String selector) {
        TestServer.Response r = server.get("/api/v1/query/flamegraph?type=" + type + "&maxNodes=2" + range(selector));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("total").asLong();
    }

    private static List<String> names(TestServer server, String type, String selector) {
        JsonNode top = server.get("/api/v1/query/top?type=" + type + "&sort=total&limit=300" + range(selector)).json();
        List<String> out = new ArrayList<>();
        top.path("functions").forEach(f -> out.add(f.path("name").asText()));
        return out;
    }
}
