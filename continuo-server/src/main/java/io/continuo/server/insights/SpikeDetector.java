package io.continuo.server.insights;

import io.continuo.model.FlameTree;
import io.continuo.model.FunctionStat;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.TimeSeries;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spikes of any profile type's total per service against a learned baseline: the median and MAD of the per-instance
 * total per bucket over the lookback, or, once two days of history exist, of the buckets at the same time of day
 * (±1 h) over the last week. Zero buckets are "no upload", not zero: they are left out of baselines and never
 * spike. A spike that begins where a new version first appears is a level shift the regression detector explains,
 * so it is not reported twice; and when a deployment moved the level for good, the baseline restarts at it (the
 * old level would make every later bucket look like a spike).
 */
final class SpikeDetector implements Detector {
    private static final long DAY = 86_400_000L;
    private static final long TIME_OF_DAY_HISTORY = 7 * DAY;
    private static final long TIME_OF_DAY_SLACK = 3_600_000L;
    private static final int MIN_BASELINE = 12;
    private static final double MIN_SPREAD_OF_MEDIAN = 0.05;
    /** Least length of the culprits' baseline before a spike, in buckets (1 h at the default 5 min). */
    private static final int MIN_DIFF_BASELINE_BUCKETS = 12;
    private static final int MAX_CULPRITS = 5;
    private static final long DEPLOYMENT_SETTLE_MILLIS = 20_000L;
    /** A deployment that moves the median total by this factor (either way) starts a new baseline. */
    private static final double LEVEL_SHIFT = 1.25;

    private final InsightsConfig config;

    SpikeDetector(InsightsConfig config) {
        this.config = config;
    }

    @Override
    public List<Insight> detect(StoreView view, long from, long until) {
        long step = config.spikeStep().toMillis();
        long historyFrom = Math.max(from - Math.max(config.spikeLookback().toMillis(), TIME_OF_DAY_HISTORY),
                until - StoreView.MAX_BUCKETS * step);
        List<Insight> out = new ArrayList<>();
        for (String service : view.services(Selector.ALL, from, until)) {
            Map<String, String> scope = Map.of(Labels.SERVICE, service);
            Map<String, long[]> versions = view.versionSpans(service, historyFrom, until, step);
            long[] deployments = deployments(versions);
            for (String type : view.typesToDetect(scope, from, until)) {
                List<TimeSeries> perInstance = view.totals(type, scope, historyFrom, until, step, List.of(Labels.INSTANCE));
                if (perInstance.isEmpty()) {
                    continue;
                }
                long[] t = perInstance.get(0).timestamps();
                double[] x = perInstanceMean(perInstance);
                long[] shifts = levelShifts(t, x, deployments);
                for (long[] event : events(t, x, from, step, shifts)) {
                    if (startsWithDeployment(versions, event[0], step)) {
                        continue;
                    }
                    out.add(explain(view, service, type, t, x, event, step));
                }
            }
        }
        return out;
    }

    /** Sum over instances divided by the instances that reported, per bucket; NaN where nothing was uploaded. */
    private static double[] perInstanceMean(List<TimeSeries> series) {
        int n = series.get(0).values().length;
        double[] sum = new double[n];
        int[] count = new int[n];
        for (TimeSeries s : series) {
            for (int i = 0; i < n; i++) {
                if (s.values()[i] != 0) {
                    sum[i] += s.values()[i];
                    count[i]++;
                }
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
        }
        return out;
    }

    /** When each version after the first appeared: the deployments in the history. */
    private static long[] deployments(Map<String, long[]> versions) {
        long[] out = new long[Math.max(0, versions.size() - 1)];
        int k = 0;
        boolean first = true;
        for (long[] span : versions.values()) {
            if (!first) {
                out[k++] = span[0];
            }
            first = false;
        }
        java.util.Arrays.sort(out);
        return out;
    }

    /**
     * The deployments after which this total settled at another level (median after vs the lookback's median
     * before, by at least {@link #LEVEL_SHIFT}). A new level is the new normal, reported once by the regression
     * detector: the spike baseline restarts there instead of calling every bucket of the next day a spike.
     */
    private long[] levelShifts(long[] t, double[] x, long[] deployments) {
        long lookback = config.spikeLookback().toMillis();
        long[] out = new long[deployments.length];
        int k = 0;
        for (int d = 0; d < deployments.length; d++) {
            long at = deployments[d];
            long next = d + 1 < deployments.length ? deployments[d + 1] : Long.MAX_VALUE;
            double before = medianOf(t, x, at - lookback, at);
            double after = medianOf(t, x, at, next);
            if (before > 0 && after > 0 && (after >= LEVEL_SHIFT * before || before >= LEVEL_SHIFT * after)) {
                out[k++] = at;
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    /** Median of the buckets with data in [from, until); NaN when there are fewer than three. */
    private static double medianOf(long[] t, double[] x, long from, long until) {
        double[] v = new double[x.length];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (t[i] >= from && t[i] < until && !Double.isNaN(x[i])) {
                v[n++] = x[i];
            }
        }
        return n < 3 ? Double.NaN : Stats.median(java.util.Arrays.copyOf(v, n));
    }

    /** The latest level shift at or before {@code time}, or Long.MIN_VALUE. */
    private static long latestShift(long[] shifts, long time) {
        long out = Long.MIN_VALUE;
        for (long s : shifts) {
            if (s <= time) {
                out = s;
            }
        }
        return out;
    }

    /** [start, end, peakIndex] of runs of spiking buckets at or after {@code from}; one missing bucket does not split a run. */
    private List<long[]> events(long[] t, double[] x, long from, long step, long[] shifts) {
        long lookback = config.spikeLookback().toMillis();
        int firstData = -1;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(x[i])) {
                firstData = i;
                break;
            }
        }
        List<long[]> events = new ArrayList<>();
        long[] open = null;
        double[] base = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (t[i] < from || Double.isNaN(x[i])) {
                continue;
            }
            long shift = latestShift(shifts, t[i]);
            boolean timeOfDay = firstData >= 0 && Math.max(t[firstData], shift) <= t[i] - 2 * DAY;
            int m = 0;
            for (int j = 0; j < i - 1; j++) {
                if (Double.isNaN(x[j]) || t[j] < shift) {
                    continue;
                }
                long age = t[i] - t[j];
                boolean in = timeOfDay ? age <= TIME_OF_DAY_HISTORY && circularDistance(age % DAY) <= TIME_OF_DAY_SLACK
                        : age <= lookback;
                if (in) {
                    base[m++] = x[j];
                }
            }
            if (m < MIN_BASELINE) {
                continue;
            }
            double[] b = java.util.Arrays.copyOf(base, m);
            double med = Stats.median(b);
            double spread = Math.max(Stats.MAD_TO_SIGMA * Stats.mad(b, med), MIN_SPREAD_OF_MEDIAN * Math.abs(med));
            double z = spread > 0 ? (x[i] - med) / spread : 0;
            boolean spike = z >= config.spikeMinZ() && x[i] >= config.spikeMinRatio() * med;
            if (!spike) {
                continue;
            }
            if (open != null && t[i] - open[1] <= step) {
                open[1] = t[i] + step;
                if (x[i] > x[(int) open[2]]) {
                    open[2] = i;
                }
                continue;
            }
            open = new long[]{t[i], t[i] + step, i, Double.doubleToLongBits(med), Double.doubleToLongBits(z)};
            events.add(open);
        }
        return events;
    }

    private static long circularDistance(long offsetInDay) {
        return Math.min(offsetInDay, DAY - offsetInDay);
    }

    private static boolean startsWithDeployment(Map<String, long[]> versions, long start, long step) {
        // A new version's JVMs take real seconds to start and warm up whatever the bucket size, so its level shift
        // may begin a few buckets after its first upload when buckets are short.
        long settle = Math.max(2 * step, DEPLOYMENT_SETTLE_MILLIS);
        boolean first = true;
        for (long[] span : versions.values()) {
            if (!first && span[0] >= start - settle && span[0] <= start + step) {
                return true;
            }
            first = false;
        }
        return false;
    }

    private Insight explain(StoreView view, String service, String type, long[] t, double[] x, long[] event, long step) {
        long start = event[0];
        long end = event[1];
        double peak = x[(int) event[2]];
        double median = Double.longBitsToDouble(event[3]);
        double z = Double.longBitsToDouble(event[4]);
        long baseFrom = start - Math.max(MIN_DIFF_BASELINE_BUCKETS * step, 4 * (end - start));
        Map<String, String> scope = Map.of(Labels.SERVICE, service);
        FlameTree spikeTree = view.tree(type, scope, start, end);
        FlameTree baseTree = view.tree(type, scope, baseFrom, start);
        int spikeBuckets = present(t, x, start, end);
        int baseBuckets = present(t, x, baseFrom, start);
        List<Insight.Culprit> culprits = growth(baseTree, Math.max(1, baseBuckets), spikeTree, Math.max(1, spikeBuckets));

        double ratio = median > 0 ? peak / median : Double.POSITIVE_INFINITY;
        String severity = ratio >= 3 ? Insight.CRITICAL : Insight.WARNING;
        String what = type.equals("cpu") ? "CPU" : type;
        StringBuilder sb = new StringBuilder(what).append(" of ").append(service).append(" rose to ")
                .append(Fmt.num(ratio)).append("× its baseline (").append(Fmt.value(peak, type)).append(" vs a median of ")
                .append(Fmt.value(median, type)).append(" per instance per ").append(Fmt.duration(step)).append(") at ")
                .append(Instant.ofEpochMilli(start).truncatedTo(ChronoUnit.SECONDS)).append(" for ")
                .append(Fmt.duration(end - start));
        if (!culprits.isEmpty()) {
            sb.append("; most of the increase is in ").append(culprits.get(0).name()).append(" (")
                    .append(Fmt.percent(culprits.get(0).growth())).append(')');
        }
        sb.append('.');
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("peak", peak);
        details.put("baselineMedian", median);
        details.put("robustZ", z);
        details.put("ratio", ratio);
        details.put("baselineFrom", baseFrom);
        String kind = type.equals("cpu") ? Insight.CPU_SPIKE : Insight.PROFILE_SPIKE;
        String link = Links.compare(service, type, Map.of(), baseFrom, start, null, start, end, null);
        return new Insight(kind, service, type, Map.of(Labels.SERVICE, service), start, end, severity, sb.toString(),
                culprits, link, details);
    }

    private static int present(long[] t, double[] x, long from, long until) {
        int n = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] >= from && t[i] < until && !Double.isNaN(x[i])) {
                n++;
            }
        }
        return n;
    }

    /**
     * Functions by how much of the increase of the per-bucket total they explain: growth is a function's increase of
     * self value per uploaded bucket over the whole increase, share its part of the spike window.
     */
    static List<Insight.Culprit> growth(FlameTree base, int baseBuckets, FlameTree spike, int spikeBuckets) {
        Map<String, Double> baseRate = new HashMap<>();
        for (FunctionStat f : base.topFunctions(0)) {
            baseRate.put(f.name(), f.self() / (double) baseBuckets);
        }
        double increase = spike.total() / (double) spikeBuckets - base.total() / (double) baseBuckets;
        List<Insight.Culprit> out = new ArrayList<>();
        if (increase <= 0 || spike.total() <= 0) {
            return out;
        }
        for (FunctionStat f : spike.topFunctions(0)) {
            double inc = f.self() / (double) spikeBuckets - baseRate.getOrDefault(f.name(), 0.0);
            if (inc > 0 && f.self() > 0) {
                out.add(new Insight.Culprit(f.name(), f.self() / (double) spike.total(), inc / increase));
            }
        }
        out.sort((a, b) -> Double.compare(b.growth(), a.growth()));
        return new ArrayList<>(out.subList(0, Math.min(MAX_CULPRITS, out.size())));
    }
}
