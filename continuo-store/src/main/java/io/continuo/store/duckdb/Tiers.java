package io.continuo.store.duckdb;

import io.continuo.store.RangeSplit;

import java.util.ArrayList;
import java.util.List;

/**
 * The one list of sample tables: raw {@code samples} and the rollup tiers built from it. Everything that names a
 * sample table reads it from here — the schema creates them, the writer appends late rows to them, {@link Rollups}
 * fills them, {@link Retention} deletes from them, queries split ranges over them ({@link RangeSplit}) and stats
 * count them — so a new tier added here is created, filled, read, counted and expired with no other edit.
 */
final class Tiers {
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
    static final List<Tier> ALL = List.of(
            new Tier("samples_1m", MINUTE, RAW, "watermark_1m", 10 * MINUTE),
            new Tier("samples_10m", 10 * MINUTE, "samples_1m", "watermark_10m", 2 * HOUR),
            new Tier("samples_1h", HOUR, "samples_10m", "watermark_1h", 24 * HOUR));

    static final List<RangeSplit.Level> LEVELS = ALL.stream().map(t -> new RangeSplit.Level(t.table(), t.width()))
            .toList();

    private Tiers() {
    }

    /** Raw samples and every rollup table, raw first. */
    static List<String> sampleTables() {
        List<String> out = new ArrayList<>(ALL.size() + 1);
        out.add(RAW);
        ALL.forEach(t -> out.add(t.table()));
        return out;
    }

    /** The pieces of [from, until) and the table each is read from, given the tiers' watermarks. */
    static List<RangeSplit.Piece> plan(long from, long until, long[] watermarks) {
        return RangeSplit.plan(from, until, RAW, LEVELS, watermarks);
    }

    static long floor(long t, long unit) {
        return RangeSplit.floor(t, unit);
    }
}
