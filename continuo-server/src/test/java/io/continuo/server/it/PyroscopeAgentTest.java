package io.continuo.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The released Pyroscope Java agent ({@code io.pyroscope:agent} from Maven Central), unmodified, sending to our
 * server: its CPU, allocation and lock profiles arrive with the right functions and labels.
 */
class PyroscopeAgentTest {
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

    @Test
    void pyroscopeAgentProfilesArriveWithValuesAndLabels() throws Exception {
        Path agent = agentJar();
        Assumptions.assumeTrue(agent != null && Files.exists(agent), "io.pyroscope:agent jar not on the test classpath");
        try (TestServer server = new TestServer(dataDir)) {
            String testClasses = Path.of(WorkloadApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-javaagent:" + agent, "-cp", testClasses, WorkloadApp.class.getName(), "14"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("app.log").toFile());
            Map<String, String> env = pb.environment();
            env.put("PYROSCOPE_APPLICATION_NAME", "pyro-app");
            env.put("PYROSCOPE_SERVER_ADDRESS", server.base());
            env.put("PYROSCOPE_PROFILER_EVENT", "itimer");
            env.put("PYROSCOPE_PROFILER_ALLOC", "256k");
            env.put("PYROSCOPE_PROFILER_LOCK", "1ms");
            env.put("PYROSCOPE_UPLOAD_INTERVAL", "3s");
            env.put("PYROSCOPE_FORMAT", "jfr");
            env.put("PYROSCOPE_LABELS", "env=test,region=local");
            env.put("PYROSCOPE_LOG_LEVEL", "info");
            Process app = pb.start();
            int exit = app.waitFor();
            String log = Files.readString(work.resolve("app.log"));
            assertThat(exit).as(log).isZero();
            Thread.sleep(1000);

            String sel = "&query=" + URLEncoder.encode("{service=\"pyro-app\",env=\"test\",region=\"local\"}", StandardCharsets.UTF_8)
                    + "&from=now-5m&until=now%2B1m";
            JsonNode cpu = server.get("/api/v1/query/top?type=cpu&sort=total&limit=200" + sel).json();
            assertThat(cpu.path("total").asLong()).as(log).isPositive();
            assertThat(names(cpu)).as(log).contains("io.continuo.server.it.WorkloadApp.burnCpu");
            JsonNode alloc = server.get("/api/v1/query/top?type=alloc_bytes&sort=total&limit=200" + sel).json();
            assertThat(alloc.path("total").asLong()).as(log).isPositive();
            assertThat(names(alloc)).contains("io.continuo.server.it.WorkloadApp.allocate");
            JsonNode lock = server.get("/api/v1/query/top?type=lock_duration&sort=total&limit=200" + sel).json();
            assertThat(lock.path("total").asLong()).as(log).isPositive();
            assertThat(names(lock)).contains("io.continuo.server.it.WorkloadApp.contend");
            JsonNode lockCount = server.get("/api/v1/query/top?type=lock_count&limit=5" + sel).json();
            assertThat(lockCount.path("total").asLong()).isPositive();
        }
    }

    private static List<String> names(JsonNode top) {
        List<String> out = new ArrayList<>();
        top.path("functions").forEach(f -> out.add(f.path("name").asText()));
        return out;
    }
}
