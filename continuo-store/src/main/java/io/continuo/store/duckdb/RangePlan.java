package io.continuo.store.duckdb;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a query range into pieces read from the coarsest table that answers each exactly: whole hours below the
 * hourly watermark from {@code samples_1h}, whole minutes below the minute watermark from {@code samples_1m}, the
 * ragged edges from raw {@code samples}. A rollup row of bucket b holds every raw row with ts in [b, b + width), so
 * the pieces sum to exactly what the raw table would give.
 */
final class RangePlan {
    static final long MINUTE = 60_000L;
    static final long HOUR = 3_600_000L;

    static final String RAW = "samples";
    static final String MINUTES = "samples_1m";
    static final String HOURS = "samples_1h";

    record Piece(String table, long from, long until) {
    }

    private RangePlan() {
    }

    /**
     * @param useMinutes whether minute rollups may answer (false when a totals step is not a whole number of minutes)
     * @param useHours   likewise for hours
     */
    static List<Piece> plan(long from, long until, long minuteWatermark, long hourWatermark,
                            boolean useMinutes, boolean useHours) {
        List<Piece> out = new ArrayList<>(5);
        if (until <= from) {
            return out;
        }
        long hStart = ceil(from, HOUR);
        long hEnd = Math.min(floor(until, HOUR), hourWatermark);
        if (useHours && hStart < hEnd) {
            minutes(from, hStart, minuteWatermark, useMinutes, out);
            out.add(new Piece(HOURS, hStart, hEnd));
            minutes(hEnd, until, minuteWatermark, useMinutes, out);
        } else {
            minutes(from, until, minuteWatermark, useMinutes, out);
        }
        return out;
    }

    private static void minutes(long from, long until, long minuteWatermark, boolean useMinutes, List<Piece> out) {
        if (until <= from) {
            return;
        }
        long mStart = ceil(from, MINUTE);
        long mEnd = Math.min(floor(until, MINUTE), minuteWatermark);
        if (useMinutes && mStart < mEnd) {
            raw(from, mStart, out);
            out.add(new Piece(MINUTES, mStart, mEnd));
            raw(mEnd, until, out);
        } else {
            raw(from, until, out);
        }
    }

    private static void raw(long from, long until, List<Piece> out) {
        if (from < until) {
            out.add(new Piece(RAW, from, until));
        }
    }

    static long floor(long t, long unit) {
        return Math.floorDiv(t, unit) * unit;
    }

    static long ceil(long t, long unit) {
        return -Math.floorDiv(-t, unit) * unit;
    }
}
