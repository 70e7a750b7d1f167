package io.continuo.bench.overhead;

import java.util.Arrays;
import java.util.Locale;

/** Minimum, median and maximum of a few per-round values. */
record Spread(double min, double median, double max) {
    static Spread of(double[] values) {
        if (values.length == 0) return new Spread(Double.NaN, Double.NaN, Double.NaN);
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Spread(v[0], median, v[n - 1]);
    }

    /** e.g. {@code 0.991 (0.983–1.004)}. */
    String format(String pattern) {
        return String.format(Locale.ROOT, pattern + " (" + pattern + "–" + pattern + ")", median, min, max);
    }
}
