package io.continuo.store.duckdb;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.continuo.store.duckdb.RangePlan.HOUR;
import static io.continuo.store.duckdb.RangePlan.MINUTE;
import static org.assertj.core.api.Assertions.assertThat;

class RangePlanTest {
    static final long T = 1_704_067_200_000L;

    @Test
    void coarsestTablesInTheMiddleRawAtTheEdges() {
        long[] wm = {T + 10 * HOUR, T + 10 * HOUR, T + 10 * HOUR};
        List<RangePlan.Piece> p = RangePlan.plan(T + 5_000, T + 3 * HOUR + 25 * MINUTE + 7_000, wm);
        assertThat(p).containsExactly(
                new RangePlan.Piece("samples", T + 5_000, T + MINUTE),
                new RangePlan.Piece("samples_1m", T + MINUTE, T + 10 * MINUTE),
                new RangePlan.Piece("samples_10m", T + 10 * MINUTE, T + HOUR),
                new RangePlan.Piece("samples_1h", T + HOUR, T + 3 * HOUR),
                new RangePlan.Piece("samples_10m", T + 3 * HOUR, T + 3 * HOUR + 20 * MINUTE),
                new RangePlan.Piece("samples_1m", T + 3 * HOUR + 20 * MINUTE, T + 3 * HOUR + 25 * MINUTE),
                new RangePlan.Piece("samples", T + 3 * HOUR + 25 * MINUTE, T + 3 * HOUR + 25 * MINUTE + 7_000));
    }

    @Test
    void watermarksBoundEachTier() {
        long[] wm = {T + 2 * HOUR + 3 * MINUTE, T + 2 * HOUR, T + HOUR};
        List<RangePlan.Piece> p = RangePlan.plan(T, T + 3 * HOUR, wm);
        assertThat(p).containsExactly(
                new RangePlan.Piece("samples_1h", T, T + HOUR),
                new RangePlan.Piece("samples_10m", T + HOUR, T + 2 * HOUR),
                new RangePlan.Piece("samples_1m", T + 2 * HOUR, T + 2 * HOUR + 3 * MINUTE),
                new RangePlan.Piece("samples", T + 2 * HOUR + 3 * MINUTE, T + 3 * HOUR));
        assertThat(RangePlan.plan(T, T, wm)).isEmpty();
    }
}
