package io.continuo.server.query;

/** Defaults and bounds of query parameters. */
public final class QueryLimits {
    public static final int DEFAULT_MAX_NODES = 2048;
    public static final int MAX_MAX_NODES = 100_000;
    public static final int MAX_POINTS = 11_000;
    public static final long DEFAULT_RANGE_MILLIS = 3_600_000L;

    private QueryLimits() {
    }

    /** A step giving about 120 points over the range, rounded to a readable size (10 s, 1 m, 5 m, 1 h...). */
    public static long autoStep(long rangeMillis) {
        long[] nice = {10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
                7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};
        long wanted = Math.max(1, rangeMillis / 120);
        for (long s : nice) {
            if (s >= wanted) {
                return s;
            }
        }
        return 86_400_000L * Math.max(1, wanted / 86_400_000L);
    }
}
