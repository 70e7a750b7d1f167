package io.continuo.store;

import io.continuo.model.Labels;
import io.continuo.model.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Step buckets and group-by labels of totals and metric queries, the same in every engine. */
public final class Steps {
    /** Most points a totals or metric query may return per series. */
    public static final int MAX_POINTS = 11_000;

    private Steps() {
    }

    /** Step starts (multiples of the step since the epoch) covering [from, until). */
    public static long[] buckets(long from, long until, long step) {
        if (step <= 0) {
            throw new ValidationException("step must be positive, got " + step + " ms");
        }
        if (until <= from) {
            return new long[0];
        }
        long start = RangeSplit.floor(from, step);
        long n = (until - start + step - 1) / step;
        if (n > MAX_POINTS) {
            throw new ValidationException("too many points: " + n + " steps of " + step + " ms (limit "
                    + MAX_POINTS + "); use a larger step");
        }
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        return out;
    }

    /** The labels a series is grouped under: only the {@code groupBy} names it has. */
    public static Labels groupLabels(Labels labels, List<String> groupBy) {
        if (groupBy == null || groupBy.isEmpty()) {
            return Labels.EMPTY;
        }
        Labels.Builder b = Labels.builder();
        for (String name : groupBy) {
            String v = labels.get(name);
            if (v != null) {
                b.put(name, v);
            }
        }
        return b.build();
    }

    /** Sums per group, one point per bucket, sorted by group labels. */
    public static List<TimeSeries> sums(Map<Labels, double[]> groups, long[] buckets) {
        List<TimeSeries> out = new ArrayList<>(groups.size());
        groups.forEach((labels, values) -> out.add(new TimeSeries(labels, buckets.clone(), values)));
        out.sort((a, b) -> a.labels().toString().compareTo(b.labels().toString()));
        return out;
    }

    /**
     * Averages per group from (sum, count) per bucket; buckets without a reading are left out rather than reported
     * as 0 or NaN. Sorted by group labels.
     */
    public static List<TimeSeries> averages(Map<Labels, double[][]> groups, long[] buckets) {
        List<TimeSeries> out = new ArrayList<>();
        groups.forEach((labels, g) -> {
            int n = 0;
            for (double count : g[1]) {
                n += count > 0 ? 1 : 0;
            }
            long[] ts = new long[n];
            double[] values = new double[n];
            for (int i = 0, j = 0; i < buckets.length; i++) {
                if (g[1][i] > 0) {
                    ts[j] = buckets[i];
                    values[j++] = g[0][i] / g[1][i];
                }
            }
            out.add(new TimeSeries(labels, ts, values));
        });
        out.sort((a, b) -> a.labels().toString().compareTo(b.labels().toString()));
        return out;
    }
}
