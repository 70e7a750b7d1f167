package io.continuo.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigResolverTest {
    private final Map<String, String> props = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private ConfigResolver.AppInfo app = new ConfigResolver.AppInfo("shop-jar", "2.0.0", "com.example.Shop");
    private int hostLookups;

    private AgentConfig resolve(String args) {
        return new ConfigResolver(args, props, env, () -> app, () -> {
            hostLookups++;
            return "host-1";
        }).resolve();
    }

    @Test
    void defaults() {
        AgentConfig c = resolve(null);
        assertThat(c.enabled).isTrue();
        assertThat(c.server.toString()).isEqualTo("http://localhost:4040");
        assertThat(c.uploadInterval).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.cpu).isTrue();
        assertThat(c.alloc).isTrue();
        assertThat(c.lock).isTrue();
        assertThat(c.wall).isFalse();
        assertThat(c.exceptions).isFalse();
        assertThat(c.cpuBudget).isEqualTo(0.01);
        assertThat(c.instance).isEqualTo("host-1");
    }

    @Test
    void serviceResolutionOrder() {
        assertThat(resolve(null).service).isEqualTo("shop-jar");
        app = new ConfigResolver.AppInfo(null, null, "com.example.Shop");
        assertThat(resolve(null).service).isEqualTo("com.example.Shop");
        env.put("CONTINUO_SERVICE", "from-env");
        assertThat(resolve(null).service).isEqualTo("from-env");
        props.put("continuo.service", "from-prop");
        assertThat(resolve(null).service).isEqualTo("from-prop");
        env.put("OTEL_SERVICE_NAME", "from-otel");
        assertThat(resolve(null).service).isEqualTo("from-otel");
        assertThat(resolve("service=from-args").service).isEqualTo("from-args");
    }

    @Test
    void versionAndEnvironmentResolutionOrder() {
        assertThat(resolve(null).version).isEqualTo("2.0.0");
        props.put("continuo.version", "3.0");
        assertThat(resolve(null).version).isEqualTo("3.0");
        env.put("OTEL_RESOURCE_ATTRIBUTES", "service.version=4.0,deployment.environment=prod,team=x");
        AgentConfig c = resolve(null);
        assertThat(c.version).isEqualTo("4.0");
        assertThat(c.env).isEqualTo("prod");
        assertThat(resolve("version=5.0,env=staging").version).isEqualTo("5.0");
        assertThat(resolve("version=5.0,env=staging").env).isEqualTo("staging");
    }

    @Test
    void agentArgsBeatSystemPropertiesBeatEnvironment() {
        env.put("CONTINUO_SERVER", "http://env:1");
        env.put("CONTINUO_UPLOAD_INTERVAL", "7s");
        assertThat(resolve(null).server.toString()).isEqualTo("http://env:1");
        props.put("continuo.server", "http://prop:2/");
        assertThat(resolve(null).server.toString()).isEqualTo("http://prop:2");
        AgentConfig c = resolve("server=https://arg:3,uploadInterval=5s,cpuInterval=20ms");
        assertThat(c.server.toString()).isEqualTo("https://arg:3");
        assertThat(c.uploadInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.cpuInterval).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void instanceFromHostnameVariableSkipsHostLookup() {
        env.put("HOSTNAME", "pod-abc-123");
        assertThat(resolve(null).instance).isEqualTo("pod-abc-123");
        assertThat(hostLookups).isZero();
    }

    @Test
    void staticLabelsFromAllSources() {
        env.put("CONTINUO_LABELS", "region=eu,team=core");
        props.put("continuo.label.team", "payments");
        AgentConfig c = resolve("labels=zone=a;rack=7,label.tier=gold");
        assertThat(c.labels).containsEntry("region", "eu").containsEntry("team", "payments")
                .containsEntry("zone", "a").containsEntry("rack", "7").containsEntry("tier", "gold");
    }

    @Test
    void killSwitch() {
        env.put("CONTINUO_ENABLED", "false");
        assertThat(new ConfigResolver(null, props, env, () -> app, () -> "h").enabled()).isFalse();
        assertThat(new ConfigResolver("enabled=true", props, env, () -> app, () -> "h").enabled()).isTrue();
    }

    @Test
    void invalidValuesNameTheSetting() {
        assertThatThrownBy(() -> resolve("uploadInterval=10")).hasMessageContaining("uploadInterval");
        assertThatThrownBy(() -> resolve("cpu=maybe")).hasMessageContaining("cpu");
        assertThatThrownBy(() -> resolve("server=ftp://x")).hasMessageContaining("server");
        assertThatThrownBy(() -> resolve("cpuBudget=2")).hasMessageContaining("cpuBudget");
        assertThatThrownBy(() -> resolve("labels=service=x")).hasMessageContaining("reserved");
        assertThatThrownBy(() -> resolve("nonsense")).hasMessageContaining("name=value");
    }

    @Test
    void envVarNames() {
        assertThat(Setting.UPLOAD_INTERVAL.envVar()).isEqualTo("CONTINUO_UPLOAD_INTERVAL");
        assertThat(Setting.API_KEY.envVar()).isEqualTo("CONTINUO_API_KEY");
        assertThat(Setting.SERVER.systemProperty()).isEqualTo("continuo.server");
    }

    @Test
    void durations() {
        assertThat(ConfigResolver.parseDuration("x", "250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(ConfigResolver.parseDuration("x", "1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ConfigResolver.parseDuration("x", "2m")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void engineFromArgumentPropertyOrEnvironment() {
        assertThat(resolve(null).engine).isEqualTo(AgentConfig.Engine.JFR);
        assertThat(resolve(null).asyncProfilerPath).isEmpty();
        env.put("CONTINUO_ENGINE", "async");
        env.put("CONTINUO_ASYNC_PROFILER_PATH", "/opt/ap/libasyncProfiler.so");
        assertThat(resolve(null).engine).isEqualTo(AgentConfig.Engine.ASYNC);
        assertThat(resolve(null).asyncProfilerPath).isEqualTo("/opt/ap/libasyncProfiler.so");
        props.put("continuo.engine", "JFR");
        assertThat(resolve(null).engine).isEqualTo(AgentConfig.Engine.JFR);
        assertThat(resolve("engine=async,asyncProfilerPath=/x.so").engine).isEqualTo(AgentConfig.Engine.ASYNC);
        assertThat(resolve("engine=async,asyncProfilerPath=/x.so").asyncProfilerPath).isEqualTo("/x.so");
        assertThatThrownBy(() -> resolve("engine=perf")).hasMessageContaining("engine");
    }
}
