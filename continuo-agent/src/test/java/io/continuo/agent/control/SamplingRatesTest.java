package io.continuo.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplingRatesTest {
    @Test
    void samplesAreValuedAtThePeriodInForceWhenTaken() {
        SamplingRates r = new SamplingRates(10_000_000, 100, 10_000_000);
        r.setCpuPeriod(1_000, 20_000_000);
        r.setCpuPeriod(2_000, 5_000_000);
        assertThat(r.cpuPeriodAt(500)).isEqualTo(10_000_000);
        assertThat(r.cpuPeriodAt(1_500)).isEqualTo(20_000_000);
        assertThat(r.cpuPeriodAt(2_000)).isEqualTo(5_000_000);
        assertThat(r.cpuPeriod()).isEqualTo(5_000_000);
    }

    @Test
    void historyIsBounded() {
        SamplingRates r = new SamplingRates(1, 1, 1);
        for (int i = 1; i <= 100; i++) r.setCpuPeriod(i * 10L, i);
        assertThat(r.cpuPeriodAt(1_000)).isEqualTo(100);
        // Older than the ring: the oldest period still known.
        assertThat(r.cpuPeriodAt(5)).isEqualTo(69);
    }
}
