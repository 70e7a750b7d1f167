package io.continuo.store.duckdb;

import io.continuo.store.RangeSplit;

import java.util.ArrayList;
import java.util.List;

/**
 * The rollup tiers and how a query range is split among them: each piece is read from the coarsest table that
 * answers it exactly — whole hours below the hourly watermark from {@code samples_1h}, whole 10-minute buckets from
 * {@code samples_10m}, whole minutes from {@code samples_1m}, the ragged edges from raw {@code samples}. A rollup row
 * of bucket b holds every raw row with ts in [b, b + width), so the pieces sum to exactly what raw rows would give.
 */
final class RangePlan {
    static final long MINUTE = RangeSplit.MINUTE;
    static final long HOUR = RangeSplit.HOUR;

    static final String RAW = "samples";

    /**
     * One rollup level, finest first: built from {@code source} (the previous level), moved forward by
     * {@code chunk} per transaction, its watermark stored in meta under {@code watermarkKey}.
     */
    record Tier(String table, long width, String source, String watermarkKey, long chunk) {
    }

    /** Every width divides the next, and the hour divides retention cutoffs (which are rounded to the hour). */
    static final List<Tier> TIERS = List.of(
            new Tier("samples_1m", MINUTE, RAW, "watermark_1m", 10 * MINUTE),
            new Tier("samples_10m", 10 * MINUTE, "samples_1m", "watermark_10m", 2 * HOUR),
            new Tier("samples_1h", HOUR, "samples_10m", "watermark_1h", 24 * HOUR));

    record Piece(String table, long from, long until) {
    }

    private RangePlan() {
    }

    private static final List<RangeSplit.Level> LEVELS =
            TIERS.stream().map(t -> new RangeSplit.Level(t.table(), t.width())).toList();

    /** @param watermarks one per tier: data with ts below it is fully rolled into that tier's table */
    static List<Piece> plan(long from, long until, long[] watermarks) {
        List<Piece> out = new ArrayList<>(2 * TIERS.size() + 1);
        for (RangeSplit.Piece p : RangeSplit.plan(from, until, RAW, LEVELS, watermarks)) {
            out.add(new Piece(p.table(), p.from(), p.until()));
        }
        return out;
    }

    static long floor(long t, long unit) {
        return RangeSplit.floor(t, unit);
    }

    static long ceil(long t, long unit) {
        return RangeSplit.ceil(t, unit);
    }
}
