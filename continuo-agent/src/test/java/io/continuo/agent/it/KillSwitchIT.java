package io.continuo.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** (c): CONTINUO_ENABLED=false leaves nothing behind: no upload, no JFR, no threads, no output. */
class KillSwitchIT {
    @Test
    void disabledAgentDoesNothing() throws Exception {
        try (Receiver receiver = new Receiver()) {
            ChildJvm.Result r = ChildJvm.run(System.getProperty("java.home"),
                    List.of("-javaagent:" + ChildJvm.agentJar() + "=server=" + receiver.url() + ",uploadInterval=200ms"),
                    ChildJvm.testClasspath(), KillSwitchApp.class, List.of("2000"),
                    Map.of("CONTINUO_ENABLED", "false"), 60);
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).contains("jfrInitialized=false agentThreads=0");
            assertThat(r.stderrLines()).hasSizeLessThanOrEqualTo(1);
            assertThat(receiver.requests).isEmpty();
        }
    }

    @Test
    void invalidSettingDisablesWithOneLine() throws Exception {
        ChildJvm.Result r = ChildJvm.run(System.getProperty("java.home"),
                List.of("-javaagent:" + ChildJvm.agentJar() + "=uploadInterval=soon"),
                ChildJvm.testClasspath(), KillSwitchApp.class, List.of("500"), Map.of(), 60);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stderrLines()).hasSize(1);
        assertThat(r.stderr()).startsWith("[continuo] ").contains("uploadInterval");
    }
}
