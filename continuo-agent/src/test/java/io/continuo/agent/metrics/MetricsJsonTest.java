package io.continuo.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsJsonTest {
    @Test
    void writesIntegersPlainlyAndSkipsNonFiniteValues() {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("live_threads", 12.0);
        v.put("process_cpu_ratio", 0.125);
        v.put("agent_cpu_ratio", Double.NaN);
        v.put("quote\"d", 1.5e6);
        assertThat(MetricsJson.point(1700000000000L, v)).isEqualTo(
                "{\"points\":[{\"timestamp\":1700000000000,\"values\":{\"live_threads\":12,"
                        + "\"process_cpu_ratio\":0.125,\"quote\\\"d\":1500000}}]}");
    }
}
