package io.continuo.agent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpanHistoryTest {
    private final SpanRegistry.Hit hit = new SpanRegistry.Hit();

    @Test
    void growsWithinItsByteBudgetAndAnswersForEveryKeptTransition() {
        SpanHistory.Budget budget = new SpanHistory.Budget(1L << 20);
        SpanHistory h = new SpanHistory(budget, 128 * 1024);
        // 1000 spans of 10 time units, each followed by 5 units outside any span.
        for (int i = 0; i < 1000; i++) {
            h.record(i * 15L, i + 1, 7, 8, "GET /x", Long.MIN_VALUE);
            h.record(i * 15L + 10, 0, 0, 0, null, Long.MIN_VALUE);
        }
        assertThat(h.count()).isEqualTo(2000);
        assertThat(h.bytes()).isLessThanOrEqualTo(128 * 1024).isEqualTo(budget.used());
        assertThat(h.find(3, hit)).isEqualTo(SpanHistory.FOUND);
        assertThat(hit.spanId).isEqualTo(1);
        assertThat(h.find(15L * 500 + 9, hit)).isEqualTo(SpanHistory.FOUND);
        assertThat(hit.spanId).isEqualTo(501);
        assertThat(hit.endpoint).isEqualTo("GET /x");
        assertThat(h.find(15L * 500 + 12, hit)).isEqualTo(SpanHistory.NONE);
        assertThat(h.find(-1, hit)).as("before the first transition nothing was open").isEqualTo(SpanHistory.NONE);
    }

    @Test
    void aSpentBudgetDropsTheOldestAndCountsOverrunsAndUnknownTimes() {
        SpanHistory.Budget budget = new SpanHistory.Budget(32L * SpanHistory.ENTRY_BYTES);
        SpanHistory h = new SpanHistory(budget, 1L << 20);
        for (int i = 0; i < 100; i++) h.record(i, i % 2 == 0 ? i + 1 : 0, 1, 2, null, Long.MIN_VALUE);
        assertThat(h.capacity()).isEqualTo(32);
        assertThat(h.overruns()).isEqualTo(68);
        assertThat(h.find(10, hit)).as("dropped: unknown, not 'no span'").isEqualTo(SpanHistory.UNKNOWN);
        assertThat(h.find(98, hit)).isEqualTo(SpanHistory.FOUND);
        assertThat(hit.spanId).isEqualTo(99);
    }

    @Test
    void trimKeepsTheStateAtTheHorizonAndGivesMemoryBack() {
        SpanHistory.Budget budget = new SpanHistory.Budget(1L << 20);
        SpanHistory h = new SpanHistory(budget, 1L << 20);
        for (int i = 0; i < 1000; i++) h.record(i * 10L, i % 2 == 0 ? 5 : 0, 1, 2, null, Long.MIN_VALUE);
        h.record(20_000, 42, 1, 2, "late", Long.MIN_VALUE);
        long before = budget.used();
        h.trim(25_000);
        assertThat(h.count()).isEqualTo(1);
        assertThat(budget.used()).isLessThan(before).isEqualTo(h.bytes());
        assertThat(h.capacity()).isEqualTo(SpanHistory.MIN_CAPACITY);
        assertThat(h.find(30_000, hit)).as("span 42 is still open after the horizon").isEqualTo(SpanHistory.FOUND);
        assertThat(hit.spanId).isEqualTo(42);
        assertThat(h.find(100, hit)).isEqualTo(SpanHistory.UNKNOWN);
        h.release();
        assertThat(budget.used()).isZero();
    }
}
