package io.continuo.server.insights;

import io.continuo.model.Labels;
import io.continuo.store.MetricQuery;
import io.continuo.store.TimeSeries;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sustained growth of heap-after-GC per service and instance. A trend is judged only after the last restart (a drop
 * below half of the previous reading), must pass Mann–Kendall (monotone, so one spike cannot make it) and grow by a
 * minimum fraction per the Theil–Sen slope (robust to outliers). The evidence down to the function is the change of
 * each allocation site's share of inuse_bytes, inuse_objects (the Java agent's leak sites: sampled objects still
 * alive) and alloc_bytes between the first and last third of the trend.
 */
final class MemoryLeakDetector implements Detector {
    static final String HEAP_METRIC = "heap_used_after_gc_bytes";
    static final String HEAP_MAX_METRIC = "heap_max_bytes";
    private static final double RESTART_DROP = 0.5;
    private static final int MAX_POINTS = 240;
    private static final double MIN_CULPRIT_GROWTH = 0.005;
    private static final int MAX_CULPRITS = 5;

    private final InsightsConfig config;

    MemoryLeakDetector(InsightsConfig config) {
        this.config = config;
    }

    @Override
    public List<Insight> detect(StoreView view, long from, long until) {
        long step = Math.max(config.minStep().toMillis(), (until - from) / MAX_POINTS);
        List<Insight> out = new ArrayList<>();
        for (String service : view.services(io.continuo.model.Selector.ALL, from, until)) {
            Map<String, String> scope = Map.of(Labels.SERVICE, service);
            List<TimeSeries> heap = view.store.metric(new MetricQuery(view.tenant, HEAP_METRIC, StoreView.selector(scope),
                    from, until), step, List.of(Labels.INSTANCE));
            if (heap.isEmpty()) {
                continue;
            }
            Map<Labels, TimeSeries> max = new HashMap<>();
            for (TimeSeries s : view.store.metric(new MetricQuery(view.tenant, HEAP_MAX_METRIC, StoreView.selector(scope),
                    from, until), step, List.of(Labels.INSTANCE))) {
                max.put(s.labels(), s);
            }
            for (TimeSeries s : heap) {
                Insight i = judge(view, service, s, max.get(s.labels()), from, until, step);
                if (i != null) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    private Insight judge(StoreView view, String service, TimeSeries s, TimeSeries max, long from, long until, long step) {
        long[] t = s.timestamps();
        double[] y = s.values();
        int start = 0;
        for (int i = 1; i < y.length; i++) {
            if (y[i] < RESTART_DROP * y[i - 1]) {
                start = i;
            }
        }
        int n = y.length - start;
        if (n < config.leakMinPoints()) {
            return null;
        }
        double z = Stats.mannKendallZ(y, start, y.length);
        double slope = Stats.theilSenSlope(t, y, start, y.length);
        if (z < config.leakMinZ() || slope <= 0) {
            return null;
        }
        // the trend starts where a flat-then-rising fit bends, not where the window happens to begin
        int bend = Stats.hingeStart(t, y, start, y.length);
        if (y.length - bend >= config.leakMinPoints()) {
            start = bend;
            n = y.length - start;
            slope = Stats.theilSenSlope(t, y, start, y.length);
        }
        int q = Math.max(1, n / 4);
        double startLevel = Stats.median(y, start, start + q);
        long tStart = t[start];
        long tEnd = t[y.length - 1] + step;
        double growth = slope * (t[y.length - 1] - tStart);
        if (startLevel <= 0 || growth < config.leakMinGrowth() * startLevel) {
            return null;
        }
        double ratePerHour = slope * 3_600_000;
        double current = startLevel + slope * (t[y.length - 1] - t[start + q / 2]);

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.SERVICE, service);
        String instance = s.labels().get(Labels.INSTANCE);
        if (instance != null) {
            labels.put(Labels.INSTANCE, instance);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("growthBytesPerHour", ratePerHour);
        details.put("growthFraction", growth / startLevel);
        details.put("mannKendallZ", z);
        details.put("points", n);
        details.put("startBytes", startLevel);
        details.put("currentBytes", current);

        Long exhaustion = null;
        if (max != null && max.values().length > 0) {
            double maxBytes = max.values()[max.values().length - 1];
            if (maxBytes > current) {
                exhaustion = (long) ((maxBytes - current) / slope);
                details.put("heapMaxBytes", maxBytes);
                details.put("timeToExhaustionMillis", exhaustion);
            }
        }

        long third = Math.max(step, (tEnd - tStart) / 3);
        long beforeFrom = Math.max(from, tStart - third);
        String allocType = null;
        List<Insight.Culprit> culprits = new ArrayList<>();
        Map<String, double[]> byName = new HashMap<>();
        // inuse_objects: the Java agent's leak sites (JFR's old-object samples still alive), live-object evidence
        for (String type : List.of("inuse_bytes", "inuse_objects", "alloc_bytes")) {
            if (!view.types(labels, tStart, tEnd).contains(type)) {
                continue;
            }
            allocType = allocType == null ? type : allocType;
            Map<String, Double> early = siteShares(view.tree(type, labels, tStart, tStart + third));
            // a leak that starts with a change (a deployment, a feature switched on) allocates at a steady rate from
            // then on: its site grew against the time before the trend, not within the trend
            Map<String, Double> before = beforeFrom < tStart
                    ? siteShares(view.tree(type, labels, beforeFrom, tStart)) : Map.of();
            Map<String, Double> late = siteShares(view.tree(type, labels, tEnd - third, tEnd));
            for (Map.Entry<String, Double> e : late.entrySet()) {
                double g = e.getValue() - early.getOrDefault(e.getKey(), 0.0);
                if (!before.isEmpty()) {
                    g = Math.max(g, e.getValue() - before.getOrDefault(e.getKey(), 0.0));
                }
                double[] best = byName.computeIfAbsent(e.getKey(), k -> new double[]{0, Double.NEGATIVE_INFINITY});
                if (g > best[1]) {
                    best[0] = e.getValue();
                    best[1] = g;
                }
            }
        }
        byName.forEach((name, v) -> {
            if (v[1] >= MIN_CULPRIT_GROWTH) {
                culprits.add(new Insight.Culprit(name, v[0], v[1]));
            }
        });
        culprits.sort((a, b) -> Double.compare(b.growth(), a.growth()));
        List<Insight.Culprit> top = culprits.subList(0, Math.min(MAX_CULPRITS, culprits.size()));

        String deployment = deploymentNear(view, service, from, until, tStart, tEnd - tStart);
        if (deployment != null) {
            details.put("deployment", deployment);
        }
        String severity = exhaustion != null && exhaustion <= 24 * 3_600_000L ? Insight.CRITICAL
                : growth / startLevel >= 0.25 || (exhaustion != null && exhaustion <= 7 * 86_400_000L) ? Insight.WARNING
                : Insight.INFO;
        StringBuilder sb = new StringBuilder("Heap after GC of ").append(service);
        if (instance != null) {
            sb.append(" (").append(instance).append(')');
        }
        sb.append(" grew ").append(Fmt.percent(growth / startLevel)).append(" (").append(Fmt.bytes(ratePerHour))
                .append("/h) over ").append(Fmt.duration(tEnd - tStart));
        if (deployment != null) {
            sb.append(", starting with the deployment of version ").append(deployment);
        }
        if (exhaustion != null) {
            sb.append("; at this rate the heap is full in ").append(Fmt.duration(exhaustion));
        }
        if (!top.isEmpty()) {
            sb.append("; growing allocation site: ").append(top.get(0).name()).append(" (")
                    .append(Fmt.points(top.get(0).growth())).append(')');
        }
        sb.append('.');
        Map<String, String> linkLabels = instance == null ? Map.of() : Map.of(Labels.INSTANCE, instance);
        String linkType = allocType == null ? "alloc_bytes" : allocType;
        String link = Links.compare(service, linkType, linkLabels, tStart, tStart + third, null, tEnd - third, tEnd, null);
        return new Insight(Insight.MEMORY_LEAK, service, linkType, labels, tStart, tEnd, severity, sb.toString(), top,
                link, details);
    }

    /** A version first seen within a tenth of the trend's length (at least 10 min) of its start, after another one. */
    private static String deploymentNear(StoreView view, String service, long from, long until, long trendStart, long trendLength) {
        long minStep = view.minStep;
        long slack = Math.max(10 * minStep, trendLength / 10);
        Map<String, long[]> spans = view.versionSpans(service, from - slack, until, minStep);
        String earliest = null;
        for (Map.Entry<String, long[]> e : spans.entrySet()) {
            if (earliest == null) {
                earliest = e.getKey();
                continue;
            }
            if (Math.abs(e.getValue()[0] - trendStart) <= slack) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * Self value per allocation site over the tree's total. Java profilers (this project's agent, async-profiler)
     * record the allocated type as the leaf frame ({@code byte[]}, {@code java.lang.String}); such a leaf counts for
     * its caller, the method that allocated. Empty when the tree is.
     */
    static Map<String, Double> siteShares(io.continuo.model.FlameTree tree) {
        Map<String, Double> out = new HashMap<>();
        double total = tree.total();
        if (total <= 0) {
            return out;
        }
        for (int node = 1; node < tree.size(); node++) {
            long self = tree.self(node, 0);
            if (self <= 0) {
                continue;
            }
            int site = isTypeName(tree.functionName(node)) && tree.parent(node) > 0 ? tree.parent(node) : node;
            out.merge(tree.functionName(site), self / total, Double::sum);
        }
        return out;
    }

    /**
     * A Java type rather than a method, by naming convention: an array ({@code byte[]}, {@code a.B[]}) or
     * {@code package.Class} (last segment capitalised, the one before not: {@code java.lang.String},
     * {@code java.util.HashMap$Node}), where a method is {@code package.Class.method}.
     */
    static boolean isTypeName(String name) {
        if (name.endsWith("[]")) {
            return true;
        }
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1 || name.indexOf('(') >= 0 || name.indexOf('/') >= 0
                || name.indexOf(' ') >= 0) {
            return false;
        }
        int prev = name.lastIndexOf('.', dot - 1) + 1;
        return Character.isUpperCase(name.charAt(dot + 1)) && Character.isLowerCase(name.charAt(prev));
    }
}
