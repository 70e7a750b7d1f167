package io.continuo.store.duckdb;

/**
 * Sums that cannot fail. DuckDB raises an error when a BIGINT product or a sum cast back to BIGINT overflows, so a
 * few huge stored values (two lines of Long.MAX_VALUE uploaded twice) made every query touching them fail with
 * "INT128 ... out of range". Products are taken in HUGEINT and capped at the BIGINT range before summing (so the
 * HUGEINT sum of up to 2^63 rows cannot overflow either), and sums are capped when cast back: a saturated total reads
 * as Long.MAX_VALUE instead of an error or a wrapped negative number.
 */
final class SaturatedSql {
    private static final String MAX = Long.toString(Long.MAX_VALUE);
    private static final String MIN = Long.toString(-Long.MAX_VALUE);

    private SaturatedSql() {
    }

    /** {@code value * scale} in HUGEINT, capped to the BIGINT range (still HUGEINT, for summing). */
    static String product(String value, String scale) {
        return clampHuge("(" + value + ")::HUGEINT * (" + scale + ")");
    }

    /** {@code sum(expr)} as a BIGINT, capped instead of failing. */
    static String sum(String expr) {
        return clampHuge("sum((" + expr + ")::HUGEINT)") + "::BIGINT";
    }

    private static String clampHuge(String huge) {
        return "least(greatest(" + huge + ", " + MIN + "::HUGEINT), " + MAX + "::HUGEINT)";
    }

    /** a + b, saturating at the long range (Java's + wraps). */
    static long add(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** a * b, saturating at the long range. */
    static long multiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
            return lo;
        }
        return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
}
