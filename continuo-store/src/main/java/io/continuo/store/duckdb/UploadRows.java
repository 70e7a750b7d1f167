package io.continuo.store.duckdb;

import java.util.Arrays;

/**
 * One series' rows of an upload as they are stored: local stack ids sorted, duplicates summed (saturating), zeros
 * dropped, and values divided by their greatest common divisor (the scale, see {@link Schema}). Buffers grow to the
 * largest series seen and are reused, so appending allocates nothing per upload in steady state. Writer thread only.
 */
final class UploadRows {
    private long[] packed = new long[4096];
    private int[] rowStacks = new int[4096];
    private long[] rowValues = new long[4096];

    int stack(int i) {
        return rowStacks[i];
    }

    long value(int i) {
        return rowValues[i];
    }

    /** The saturated sum of the first {@code n} (scaled) values. */
    long sum(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum = SaturatedSql.add(sum, rowValues[i]);
        }
        return sum;
    }

    /**
     * Maps one series' rows to local stack ids, sorted by stack id with
     * duplicates summed and zeros dropped: sorted ids delta-compress, and two source stacks that differ only in
     * line numbers are one stored stack. Returns the row count.
     */
    int map(StackCache.SourceMapping mapping, int[] stackIndexes, long[] values, int count) {
        if (packed.length < count) {
            int capacity = Math.max(count, packed.length * 2);
            packed = new long[capacity];
            rowStacks = new int[capacity];
            rowValues = new long[capacity];
        }
        int m = 0;
        for (int i = 0; i < count; i++) {
            if (values[i] == 0 || stackIndexes[i] == 0) {
                continue;
            }
            int local = mapping.localStack(stackIndexes[i]);
            packed[m++] = ((long) local << 32) | i;
        }
        Arrays.sort(packed, 0, m);
        int n = 0;
        for (int j = 0; j < m; j++) {
            int local = (int) (packed[j] >>> 32);
            long v = values[(int) packed[j]];
            if (n > 0 && rowStacks[n - 1] == local) {
                rowValues[n - 1] = SaturatedSql.add(rowValues[n - 1], v);
            } else {
                rowStacks[n] = local;
                rowValues[n++] = v;
            }
        }
        return n;
    }

    /** Divides the rows' values by their greatest common divisor and returns it (see {@link Schema}). */
    long scale(int n) {
        long g = 0;
        for (int i = 0; i < n && g != 1; i++) {
            g = gcd(g, Math.abs(rowValues[i]));
        }
        if (g <= 1) {
            return 1;
        }
        for (int i = 0; i < n; i++) {
            rowValues[i] /= g;
        }
        return g;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }}
