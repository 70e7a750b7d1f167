package io.continuo.server.insights;

import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.TimeSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A new {@code version} of a service against the one before it, per profile type. Each side is cut into up to
 * {@value #MAX_SAMPLES} buckets with data; in each bucket every function's self share of the profile is one sample,
 * so a share is already per second and per instance. A function regressed when its share grew by at least
 * {@code regressionMinShare} (and by a fifth of itself) and a one-sided Mann–Whitney U test over the bucket samples,
 * Bonferroni-corrected for the candidates tested, beats {@code regressionMaxP}. The cost per instance-second of the
 * whole profile is reported alongside (instances counted per bucket from the {@code instance} label).
 */
final class RegressionDetector implements Detector {
    private static final int MAX_SAMPLES = 12;
    private static final int MIN_SAMPLES = 4;
    private static final int MAX_CANDIDATES = 20;
    private static final double MIN_RELATIVE_GROWTH = 0.2;
    private static final long HISTORY_MS = 86_400_000L;
    private static final int MAX_CULPRITS = 5;

    private final InsightsConfig config;

    RegressionDetector(InsightsConfig config) {
        this.config = config;
    }

    @Override
    public List<Insight> detect(StoreView view, long from, long until) {
        List<Insight> out = new ArrayList<>();
        long window = config.window().toMillis();
        for (String service : view.services(Selector.ALL, from, until)) {
            Map<String, long[]> spans = view.versionSpans(service, from - HISTORY_MS, until, config.minStep().toMillis());
            List<String> order = new ArrayList<>(spans.keySet());
            for (int k = 1; k < order.size(); k++) {
                String current = order.get(k);
                long[] c = spans.get(current);
                if (c[0] < from || c[0] >= until) {
                    continue;
                }
                String previous = order.get(k - 1);
                long[] p = spans.get(previous);
                long cFrom = c[0];
                long cUntil = Math.min(Math.min(c[1], cFrom + window), until);
                long bUntil = Math.min(p[1], cUntil);
                long bFrom = Math.max(p[0], bUntil - window);
                if (cUntil <= cFrom || bUntil <= bFrom) {
                    continue;
                }
                Map<String, String> prevLabels = Map.of(Labels.SERVICE, service, Labels.VERSION, previous);
                Map<String, String> curLabels = Map.of(Labels.SERVICE, service, Labels.VERSION, current);
                List<String> types = view.typesToDetect(curLabels, cFrom, cUntil);
                types.retainAll(view.types(prevLabels, bFrom, bUntil));
                for (String type : types) {
                    Insight i = compare(view, service, type, previous, prevLabels, bFrom, bUntil, current, curLabels, cFrom, cUntil);
                    if (i != null) {
                        out.add(i);
                    }
                }
            }
        }
        return out;
    }

    /**
     * One side: the buckets with data (ranges), the shares of the whole side (merged), the cost per instance-second
     * (rate) and per bucket (bucketRates). The per-bucket shares need one tree per bucket, so they are read only
     * ({@link #samples}) once the merged shares name a candidate: most sides of most deployments have none.
     */
    private record Side(List<long[]> ranges, Map<String, Double> merged, double rate, double instances,
                        double[] bucketRates) {
    }

    private Side side(StoreView view, String type, Map<String, String> labels, long from, long until) {
        long step = Math.max(config.minStep().toMillis(), (until - from + MAX_SAMPLES - 1) / MAX_SAMPLES);
        List<TimeSeries> perInstance = view.totals(type, labels, from, until, step, List.of(Labels.INSTANCE));
        List<long[]> ranges = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        double sum = 0;
        double instanceSeconds = 0;
        double instanceBuckets = 0;
        if (!perInstance.isEmpty()) {
            long[] t = perInstance.get(0).timestamps();
            for (int i = 0; i < t.length; i++) {
                double total = 0;
                int instances = 0;
                for (TimeSeries s : perInstance) {
                    if (s.values()[i] != 0) {
                        total += s.values()[i];
                        instances++;
                    }
                }
                if (instances == 0) {
                    continue;
                }
                long bFrom = Math.max(from, t[i]);
                long bUntil = Math.min(until, t[i] + step);
                ranges.add(new long[]{bFrom, bUntil});
                double seconds = (bUntil - bFrom) / 1000.0;
                rates.add(total / instances / seconds);
                sum += total;
                instanceSeconds += instances * seconds;
                instanceBuckets += instances;
            }
        }
        double[] bucketRates = rates.stream().mapToDouble(Double::doubleValue).toArray();
        return new Side(ranges, StoreView.shares(type, view.tree(type, labels, from, until)),
                instanceSeconds > 0 ? sum / instanceSeconds : 0, ranges.isEmpty() ? 0 : instanceBuckets / ranges.size(),
                bucketRates);
    }

    /** Shares per bucket of one side: samples[bucket] maps function to self share (a share is already per second). */
    private static List<Map<String, Double>> samples(StoreView view, String type, Map<String, String> labels, Side side) {
        List<Map<String, Double>> out = new ArrayList<>(side.ranges.size());
        for (long[] r : side.ranges) {
            out.add(StoreView.shares(type, view.tree(type, labels, r[0], r[1])));
        }
        return out;
    }

    private Insight compare(StoreView view, String service, String type, String previous, Map<String, String> prevLabels,
                            long bFrom, long bUntil, String current, Map<String, String> curLabels, long cFrom, long cUntil) {
        Side before = side(view, type, prevLabels, bFrom, bUntil);
        Side after = side(view, type, curLabels, cFrom, cUntil);
        if (before.ranges.size() < MIN_SAMPLES || after.ranges.size() < MIN_SAMPLES) {
            return null;
        }
        List<Map.Entry<String, Double>> candidates = new ArrayList<>();
        for (Map.Entry<String, Double> e : after.merged.entrySet()) {
            double b = before.merged.getOrDefault(e.getKey(), 0.0);
            double g = e.getValue() - b;
            if (g >= config.regressionMinShare() && e.getValue() >= (1 + MIN_RELATIVE_GROWTH) * b) {
                candidates.add(Map.entry(e.getKey(), g));
            }
        }
        candidates.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
        candidates = candidates.subList(0, Math.min(MAX_CANDIDATES, candidates.size()));
        if (candidates.isEmpty()) {
            return null;
        }
        List<Map<String, Double>> beforeSamples = samples(view, type, prevLabels, before);
        List<Map<String, Double>> afterSamples = samples(view, type, curLabels, after);
        List<Insight.Culprit> culprits = new ArrayList<>();
        double bestP = 1;
        for (Map.Entry<String, Double> cand : candidates) {
            double p = Stats.mannWhitneyGreaterP(shares(beforeSamples, cand.getKey()), shares(afterSamples, cand.getKey()))
                    * candidates.size();
            if (p <= config.regressionMaxP()) {
                culprits.add(new Insight.Culprit(cand.getKey(), after.merged.get(cand.getKey()), cand.getValue()));
                bestP = Math.min(bestP, p);
            }
        }
        if (culprits.isEmpty()) {
            return null;
        }
        culprits = culprits.subList(0, Math.min(MAX_CULPRITS, culprits.size()));
        double rateChange = before.rate > 0 ? after.rate / before.rate - 1 : 0;
        double rateP = Stats.mannWhitneyGreaterP(before.bucketRates, after.bucketRates);
        Insight.Culprit top = culprits.get(0);
        double topBefore = before.merged.getOrDefault(top.name(), 0.0);
        String severity = top.growth() >= 0.10 || (rateChange >= 0.5 && rateP <= config.regressionMaxP())
                ? Insight.CRITICAL : Insight.WARNING;
        StringBuilder sb = new StringBuilder("Version ").append(current).append(" of ").append(service).append(": ")
                .append(top.name()).append(" grew from ").append(Fmt.percent(topBefore)).append(" to ")
                .append(Fmt.percent(top.share())).append(" of ").append(type).append(" compared with version ")
                .append(previous).append(" (p=").append(String.format(java.util.Locale.ROOT, "%.1g", bestP))
                .append(", Mann–Whitney U)");
        if (rateP <= config.regressionMaxP() && Math.abs(rateChange) >= 0.05) {
            sb.append("; ").append(type).append(" per instance-second ").append(rateChange >= 0 ? "+" : "")
                    .append(Fmt.percent(rateChange));
        }
        sb.append('.');
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("previousVersion", previous);
        details.put("pValue", bestP);
        details.put("ratePerInstanceSecondBefore", before.rate);
        details.put("ratePerInstanceSecondAfter", after.rate);
        details.put("rateChange", rateChange);
        details.put("rateChangePValue", rateP);
        details.put("instancesBefore", before.instances);
        details.put("instancesAfter", after.instances);
        details.put("samplesBefore", before.ranges.size());
        details.put("samplesAfter", after.ranges.size());
        String link = Links.compare(service, type, Map.of(), bFrom, bUntil, "version=\"" + previous + "\"", cFrom, cUntil,
                "version=\"" + current + "\"");
        return new Insight(Insight.REGRESSION, service, type, curLabels, cFrom, cUntil, severity, sb.toString(), culprits,
                link, details);
    }

    private static double[] shares(List<Map<String, Double>> samples, String function) {
        double[] out = new double[samples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = samples.get(i).getOrDefault(function, 0.0);
        }
        return out;
    }
}
