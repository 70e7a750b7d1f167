package io.continuo.server.insights;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FmtTest {
    @Test
    void smallValuesKeepTwoSignificantDigitsInsteadOfRoundingToZero() {
        assertThat(Fmt.num(0.000894)).isEqualTo("0.00089");
        assertThat(Fmt.num(0.00001234)).isEqualTo("1.2e-05");
        assertThat(Fmt.num(0)).isEqualTo("0.00");
        assertThat(Fmt.num(0.5)).isEqualTo("0.50");
        assertThat(Fmt.num(12.34)).isEqualTo("12.3");
        assertThat(Fmt.num(1234.5)).isEqualTo("1235");
        // a CPU rate alert on a lightly loaded service: 3.2 s of CPU over an hour
        assertThat(Fmt.value(3.2e9 / 3600, "cpu")).isEqualTo("0.00089 s");
    }
}
