package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** (b): nobody listening. The app must finish unharmed and the agent's queue must stay capped. */
class ServerDownIT {
    @Test
    void appIsUnaffectedAndQueueStaysBounded() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ChildJvm.Result r = ChildJvm.run(System.getProperty("java.home"),
                List.of("-javaagent:" + ChildJvm.agentJar() + "=server=http://127.0.0.1:" + closedPort
                        + ",uploadInterval=200ms,queueCapacity=2,maxRetries=5,backoffBase=2s,backoffMax=4s"),
                ChildJvm.testClasspath(), WorkloadApp.class, List.of("6000"), Map.of(), 120);

        assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
        assertThat(r.stdout()).contains("done");
        assertThat(r.stderr()).isEmpty();
        Map<String, Long> d = diagnostics(r.stdout());
        assertThat(d.get("intervals")).as("the agent kept profiling: %s", d).isGreaterThanOrEqualTo(2);
        assertThat(d.get("queue_size")).isLessThanOrEqualTo(2);
        assertThat(d.get("queue_bytes")).isLessThanOrEqualTo(d.get("queue_max_bytes"));
        assertThat(d.get("dropped")).as("drops are counted: %s", d).isPositive();
        assertThat(d.get("uploaded")).isZero();
        assertThat(d.get("upload_retries")).isPositive();
        assertThat(d.get("stopped")).isZero();
    }

    static Map<String, Long> diagnostics(String stdout) {
        Matcher m = Pattern.compile("diagnostics \\{(.*)}").matcher(stdout);
        assertThat(m.find()).as("diagnostics line in %s", stdout).isTrue();
        Map<String, Long> out = new HashMap<>();
        for (String kv : m.group(1).split(", ")) {
            String[] p = kv.split("=");
            out.put(p[0], Long.parseLong(p[1]));
        }
        return out;
    }
}
