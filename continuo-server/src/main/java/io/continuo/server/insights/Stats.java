package io.continuo.server.insights;

import java.util.Arrays;

/**
 * The robust statistics the detectors share. Inputs are plain arrays; nothing here allocates per element beyond
 * one sorted copy, so a detector can run these over thousands of series per evaluation.
 */
final class Stats {
    /** MAD × this estimates the standard deviation of normally distributed data. */
    static final double MAD_TO_SIGMA = 1.4826;

    private Stats() {
    }

    static double median(double[] values, int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return Double.NaN;
        }
        double[] copy = Arrays.copyOfRange(values, from, to);
        Arrays.sort(copy);
        return n % 2 == 1 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2;
    }

    static double median(double[] values) {
        return median(values, 0, values.length);
    }

    /** Median absolute deviation from the median. */
    static double mad(double[] values, double median) {
        double[] dev = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            dev[i] = Math.abs(values[i] - median);
        }
        return median(dev);
    }

    /**
     * Theil–Sen slope: the median of the pairwise slopes, so up to ~29% of wild points (a single spike, a GC that
     * did not run) cannot bend it. O(n²) pairs; callers keep n in the hundreds.
     */
    static double theilSenSlope(long[] x, double[] y, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return 0;
        }
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = from; i < to; i++) {
            for (int j = i + 1; j < to; j++) {
                if (x[j] != x[i]) {
                    slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
                }
            }
        }
        return k == 0 ? 0 : median(slopes, 0, k);
    }

    /**
     * Mann–Kendall trend test: the normal score Z of S = Σ sign(y[j] − y[i]) (ties count zero; variance without the
     * tie correction, which only makes the test more conservative on data with many ties). Z > 2.33 is an upward trend
     * at one-sided p < 0.01.
     */
    static double mannKendallZ(double[] y, int from, int to) {
        int n = to - from;
        if (n < 3) {
            return 0;
        }
        long s = 0;
        for (int i = from; i < to; i++) {
            for (int j = i + 1; j < to; j++) {
                s += Double.compare(y[j], y[i]) > 0 ? 1 : Double.compare(y[j], y[i]) < 0 ? -1 : 0;
            }
        }
        double var = n * (n - 1.0) * (2.0 * n + 5) / 18.0;
        if (s > 0) {
            return (s - 1) / Math.sqrt(var);
        }
        if (s < 0) {
            return (s + 1) / Math.sqrt(var);
        }
        return 0;
    }

    /** Kendall's tau of y against its index: S over the number of pairs, in [-1, 1]. */
    static double kendallTau(double[] y, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return 0;
        }
        long s = 0;
        for (int i = from; i < to; i++) {
            for (int j = i + 1; j < to; j++) {
                s += Double.compare(y[j], y[i]) > 0 ? 1 : Double.compare(y[j], y[i]) < 0 ? -1 : 0;
            }
        }
        return s / (n * (n - 1) / 2.0);
    }

    /**
     * One-sided Mann–Whitney U test that {@code b} tends to be larger than {@code a}: the p-value from the normal
     * approximation with tie correction and continuity correction (fine from about 8 samples per side).
     */
    static double mannWhitneyGreaterP(double[] a, double[] b) {
        int n1 = a.length;
        int n2 = b.length;
        if (n1 == 0 || n2 == 0) {
            return 1;
        }
        int n = n1 + n2;
        double[] all = new double[n];
        int[] group = new int[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n1; i++) {
            all[i] = a[i];
        }
        for (int i = 0; i < n2; i++) {
            all[n1 + i] = b[i];
            group[n1 + i] = 1;
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(all[p], all[q]));
        double rankSumB = 0;
        double tieTerm = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && all[order[j + 1]] == all[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            int t = j - i + 1;
            tieTerm += (double) t * t * t - t;
            for (int k = i; k <= j; k++) {
                if (group[order[k]] == 1) {
                    rankSumB += rank;
                }
            }
            i = j + 1;
        }
        double u = rankSumB - n2 * (n2 + 1) / 2.0;
        double mean = n1 * (double) n2 / 2.0;
        double var = n1 * (double) n2 / 12.0 * ((n + 1) - tieTerm / ((double) n * (n - 1)));
        if (var <= 0) {
            return 1;
        }
        double z = (u - mean - 0.5) / Math.sqrt(var);
        return 1 - normalCdf(z);
    }

    /** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, absolute error below 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
                * t * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    static double mean(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /**
     * Where a flat-then-rising series starts rising: the index k minimising the squared error of the hinge fit
     * y = a + b·max(0, t − t[k]). O(n²); callers keep n in the hundreds.
     */
    static int hingeStart(long[] t, double[] y, int from, int to) {
        int best = from;
        double bestSse = Double.POSITIVE_INFINITY;
        for (int k = from; k < to - 2; k++) {
            double sx = 0, sy = 0, sxx = 0, sxy = 0;
            int n = to - from;
            for (int i = from; i < to; i++) {
                double x = Math.max(0, t[i] - t[k]) / 3_600_000.0;
                sx += x;
                sy += y[i];
                sxx += x * x;
                sxy += x * y[i];
            }
            double den = n * sxx - sx * sx;
            if (den <= 0) {
                continue;
            }
            double b = (n * sxy - sx * sy) / den;
            double a = (sy - b * sx) / n;
            double sse = 0;
            for (int i = from; i < to; i++) {
                double x = Math.max(0, t[i] - t[k]) / 3_600_000.0;
                double r = y[i] - a - b * x;
                sse += r * r;
            }
            if (b > 0 && sse < bestSse) {
                bestSse = sse;
                best = k;
            }
        }
        return best;
    }
}
