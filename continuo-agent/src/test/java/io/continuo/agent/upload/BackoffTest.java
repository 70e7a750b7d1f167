package io.continuo.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void fullJitterSequenceIsExactForASeededRandom() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), new Random(42));
        List<Long> actual = new ArrayList<>();
        for (int retry = 0; retry < 6; retry++) actual.add(b.delay(retry).toNanos());

        Random expected = new Random(42);
        long[] bounds = {1_000_000_000L, 2_000_000_000L, 4_000_000_000L, 5_000_000_000L, 5_000_000_000L, 5_000_000_000L};
        List<Long> want = new ArrayList<>();
        for (long bound : bounds) want.add((long) (expected.nextDouble() * bound));
        assertThat(actual).isEqualTo(want);
    }

    @Test
    void neverExceedsCapEvenForHugeRetryCounts() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), new Random(1));
        for (int retry = 0; retry < 200; retry++) {
            assertThat(b.delay(retry)).isBetween(Duration.ZERO, Duration.ofSeconds(30));
        }
    }

    @Test
    void rejectsInvalidBounds() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()))
                .hasMessageContaining("base");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()))
                .hasMessageContaining("max");
    }
}
