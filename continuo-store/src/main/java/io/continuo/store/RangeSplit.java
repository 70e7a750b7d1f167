package io.continuo.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a query range among rollup tables, shared by the engines: each piece is read from the coarsest table that
 * answers it exactly — whole buckets of the widest level below that level's watermark, narrower levels for what is
 * left, the ragged edges from the raw table. A rollup row of bucket b holds every raw row with ts in [b, b + width),
 * so the pieces sum to exactly what raw rows would give.
 */
public final class RangeSplit {
    public static final long MINUTE = 60_000L;
    public static final long HOUR = 3_600_000L;

    /** One rollup table and its bucket width; every width must divide the next (finest first). */
    public record Level(String table, long width) {
    }

    /** Read {@code table} for ts in [from, until). */
    public record Piece(String table, long from, long until) {
    }

    private RangeSplit() {
    }

    /**
     * @param raw        the table of raw rows
     * @param levels     rollup levels, finest first
     * @param watermarks one per level: data with ts below it is fully rolled into that level's table
     */
    public static List<Piece> plan(long from, long until, String raw, List<Level> levels, long[] watermarks) {
        List<Piece> out = new ArrayList<>(2 * levels.size() + 1);
        split(from, until, raw, levels, watermarks, levels.size() - 1, out);
        return out;
    }

    private static void split(long from, long until, String raw, List<Level> levels, long[] watermarks, int level,
                              List<Piece> out) {
        if (until <= from) {
            return;
        }
        if (level < 0) {
            out.add(new Piece(raw, from, until));
            return;
        }
        Level l = levels.get(level);
        long start = ceil(from, l.width());
        long end = Math.min(floor(until, l.width()), watermarks[level]);
        if (start < end) {
            split(from, start, raw, levels, watermarks, level - 1, out);
            out.add(new Piece(l.table(), start, end));
            split(end, until, raw, levels, watermarks, level - 1, out);
        } else {
            split(from, until, raw, levels, watermarks, level - 1, out);
        }
    }

    public static long floor(long t, long unit) {
        return Math.floorDiv(t, unit) * unit;
    }

    public static long ceil(long t, long unit) {
        return -Math.floorDiv(-t, unit) * unit;
    }
}
