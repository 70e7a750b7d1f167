package io.continuo.store.duckdb;

import io.continuo.store.RangeSplit;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.continuo.store.duckdb.Tiers.HOUR;
import static io.continuo.store.duckdb.Tiers.MINUTE;
import static org.assertj.core.api.Assertions.assertThat;

class TiersTest {
    static final long T = 1_704_067_200_000L;

    @Test
    void coarsestTablesInTheMiddleRawAtTheEdges() {
        long[] wm = {T + 10 * HOUR, T + 10 * HOUR, T + 10 * HOUR};
        List<RangeSplit.Piece> p = Tiers.plan(T + 5_000, T + 3 * HOUR + 25 * MINUTE + 7_000, wm);
        assertThat(p).containsExactly(
                new RangeSplit.Piece("samples", T + 5_000, T + MINUTE),
                new RangeSplit.Piece("samples_1m", T + MINUTE, T + 10 * MINUTE),
                new RangeSplit.Piece("samples_10m", T + 10 * MINUTE, T + HOUR),
                new RangeSplit.Piece("samples_1h", T + HOUR, T + 3 * HOUR),
                new RangeSplit.Piece("samples_10m", T + 3 * HOUR, T + 3 * HOUR + 20 * MINUTE),
                new RangeSplit.Piece("samples_1m", T + 3 * HOUR + 20 * MINUTE, T + 3 * HOUR + 25 * MINUTE),
                new RangeSplit.Piece("samples", T + 3 * HOUR + 25 * MINUTE, T + 3 * HOUR + 25 * MINUTE + 7_000));
    }

    @Test
    void watermarksBoundEachTier() {
        long[] wm = {T + 2 * HOUR + 3 * MINUTE, T + 2 * HOUR, T + HOUR};
        List<RangeSplit.Piece> p = Tiers.plan(T, T + 3 * HOUR, wm);
        assertThat(p).containsExactly(
                new RangeSplit.Piece("samples_1h", T, T + HOUR),
                new RangeSplit.Piece("samples_10m", T + HOUR, T + 2 * HOUR),
                new RangeSplit.Piece("samples_1m", T + 2 * HOUR, T + 2 * HOUR + 3 * MINUTE),
                new RangeSplit.Piece("samples", T + 2 * HOUR + 3 * MINUTE, T + 3 * HOUR));
        assertThat(Tiers.plan(T, T, wm)).isEmpty();
    }

    /** One list drives everything: each tier reads the previous one, widths divide, retention sees every table. */
    @Test
    void everyTierIsBuiltFromThePreviousAndListedForRetention() {
        String previous = Tiers.RAW;
        long width = 1;
        for (Tiers.Tier t : Tiers.ALL) {
            assertThat(t.source()).isEqualTo(previous);
            assertThat(t.width() % width).isZero();
            assertThat(HOUR % t.width() == 0 || t.width() % HOUR == 0).as("hour-aligned retention").isTrue();
            assertThat(Tiers.sampleTables()).contains(t.table());
            previous = t.table();
            width = t.width();
        }
        assertThat(Tiers.sampleTables()).hasSize(Tiers.ALL.size() + 1).startsWith(Tiers.RAW);
    }
}
