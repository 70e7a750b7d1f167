package io.continuo.agent.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JfrStackDepthTest {
    @Test
    void readsTheDepthFromJfrConfiguresAnswer() {
        assertThat(JfrStackDepth.parse("Current configuration:\n\nRepository path: N/A\nStack depth: 64\nGlobal buffer count: 20\n"))
                .isEqualTo(64);
        assertThat(JfrStackDepth.parse("Stack depth: 512\n")).isEqualTo(512);
        assertThat(JfrStackDepth.parse("Stack depth: \n")).isEqualTo(-1);
        assertThat(JfrStackDepth.parse("something else")).isEqualTo(-1);
    }

    /** In this JVM (no JFR recording has sampled yet with a deeper setting) the command answers and raises it. */
    @Test
    void raisesTheDepthAndNeverLowersIt() {
        int depth = JfrStackDepth.atLeast(300);
        assertThat(depth).isGreaterThanOrEqualTo(300);
        assertThat(JfrStackDepth.atLeast(100)).as("never lowered").isEqualTo(depth);
    }
}
