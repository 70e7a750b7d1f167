package io.continuo.formats.jfr.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Resolution through the string pool stops after one step, whatever the pool holds. */
class JfrObjectTest {
    @Test
    void stringConstantReferringToItselfReadsAsNull() {
        JfrType strings = new JfrType(20, "java.lang.String");
        strings.pool.put(1L, new JfrInput.StringRef(1));
        strings.pool.put(2L, "main");
        JfrObject.Chunk chunk = new JfrObject.Chunk(Map.of(20L, strings), 0, 0, 1_000_000_000L);
        chunk.stringType = 20;
        assertThat(chunk.resolveString(new JfrInput.StringRef(1))).isNull();
        assertThat(chunk.resolveString(new JfrInput.StringRef(2))).isEqualTo("main");
        assertThat(chunk.resolveString(new JfrInput.StringRef(3))).isNull();
    }

    @Test
    void ticksConvertAsTheJdkDoes() {
        // TimeConverter divides ticks per second by 10^9 in long arithmetic: 2.5 GHz ticks count as 2 per ns
        JfrObject.Chunk chunk = new JfrObject.Chunk(Map.of(), 1_000, 100, 2_500_000_000L);
        assertThat(chunk.nanos(110)).isEqualTo(1_005);
    }
}
