package io.continuo.bench.overhead;

/**
 * Log-linear latency histogram in HdrHistogram's shape, fixed size and allocation-free after construction, so
 * recording a request never disturbs the garbage collector being measured.
 * <p>
 * Values are nanoseconds in [0, {@link Long#MAX_VALUE}]. Values below {@value #SUB_BUCKETS} ns are exact; above, each
 * power of two is split into {@value #HALF} buckets, so a reported percentile is within 1/{@value #HALF} (1.6%) of
 * the recorded value. One instance per thread: not thread-safe; {@link #add} merges after the writers stopped.
 */
final class LatencyHistogram {
    private static final int SUB_BUCKET_BITS = 7;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int HALF = SUB_BUCKETS / 2;
    /** Highest index: a value with bit 62 set has shift 56 and mantissa 127. */
    private static final int BUCKETS = (Long.SIZE - SUB_BUCKET_BITS) * HALF + SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) max = v;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) counts[i] += other.counts[i];
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() { return total; }

    long max() { return max; }

    /** The value at {@code percentile} (0..100], as the midpoint of its bucket; 0 when nothing was recorded. */
    long percentile(double percentile) {
        if (total == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(total * percentile / 100.0));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(max, midpoint(i));
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB_BUCKETS) return (int) v;
        int shift = (Long.SIZE - 1 - Long.numberOfLeadingZeros(v)) - (SUB_BUCKET_BITS - 1);
        return shift * HALF + (int) (v >>> shift);
    }

    static long midpoint(int index) {
        if (index < SUB_BUCKETS) return index;
        int shift = index / HALF - 1;
        long mantissa = index - shift * HALF;
        return (mantissa << shift) + (1L << shift) / 2;
    }
}
