package io.continuo.server.insights;

import io.continuo.model.FlameTree;
import io.continuo.model.FunctionStat;
import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.SeriesFilter;
import io.continuo.store.TimeSeries;
import io.continuo.store.TypeInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The store as the detectors read it: one tenant, selectors built from label maps, the small helpers they share. */
final class StoreView {
    static final int MAX_SERVICES = 1000;
    static final int MAX_VERSIONS = 100;
    /** Most buckets a detector asks for in one series (the store refuses more than 11 000); bounds history at short steps. */
    static final long MAX_BUCKETS = 10_000;

    final ProfileStore store;
    final String tenant;
    /** Finest bucket of series read for the detectors ({@link InsightsConfig#minStep()}). */
    final long minStep;
    /** The one service the detectors look at (the UI's selection), or null for every service. */
    final String onlyService;
    /** The one profile type the per-type detectors look at ({@link #typesToDetect}), or null for every type. */
    final String onlyType;
    /**
     * Answers of {@link #services}, {@link #types} and {@link #versionSpans} already asked in this evaluation: the
     * three detectors ask the same ones per service. Null (no memo) for a long-lived view such as the alert
     * manager's, whose answers must follow the store.
     */
    private final Map<List<Object>, Object> memo;

    StoreView(ProfileStore store, String tenant) {
        this(store, tenant, 60_000);
    }

    StoreView(ProfileStore store, String tenant, long minStepMillis) {
        this(store, tenant, minStepMillis, null);
    }

    StoreView(ProfileStore store, String tenant, long minStepMillis, String onlyService) {
        this(store, tenant, minStepMillis, onlyService, null, false);
    }

    private StoreView(ProfileStore store, String tenant, long minStepMillis, String onlyService, String onlyType,
                      boolean memoize) {
        this.store = store;
        this.tenant = tenant;
        this.minStep = minStepMillis;
        this.onlyService = onlyService;
        this.onlyType = onlyType;
        this.memo = memoize ? new HashMap<>() : null;
    }

    /** A view for one evaluation (one thread, a few seconds): repeated look-ups are answered once. */
    static StoreView forEvaluation(ProfileStore store, String tenant, long minStepMillis, String onlyService, String onlyType) {
        return new StoreView(store, tenant, minStepMillis, onlyService, onlyType, true);
    }

    @SuppressWarnings("unchecked")
    private <T> T memo(List<Object> key, Supplier<T> compute) {
        if (memo == null) {
            return compute.get();
        }
        Object v = memo.get(key);
        if (v == null) {
            v = compute.get();
            memo.put(key, v);
        }
        return (T) v;
    }

    static Selector selector(Map<String, String> labels) {
        Selector s = Selector.ALL;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            s = s.and(LabelMatcher.of(e.getKey(), LabelMatcher.Op.EQ, e.getValue()));
        }
        return s;
    }

    List<String> services(Selector scope, long from, long until) {
        List<String> all = memo(List.of("services", scope.toString(), from, until), () -> List.copyOf(
                store.labelValues(new SeriesFilter(tenant, scope, from, until), Labels.SERVICE, MAX_SERVICES)));
        if (onlyService == null) {
            return all;
        }
        return all.contains(onlyService) ? List.of(onlyService) : List.of();
    }

    /** The profile types with data; a new list the caller may change. */
    List<String> types(Map<String, String> labels, long from, long until) {
        return new ArrayList<>(this.<List<String>>memo(List.of("types", Map.copyOf(labels), from, until), () -> {
            List<String> out = new ArrayList<>();
            for (TypeInfo t : store.profileTypes(new SeriesFilter(tenant, selector(labels), from, until))) {
                out.add(t.name());
            }
            return List.copyOf(out);
        }));
    }

    /**
     * The types a per-type detector (spikes, regressions) looks at: {@link #types}, only the selected one when the
     * request names a type. Its insights carry that type, so this is the API's type filter applied before the work.
     */
    List<String> typesToDetect(Map<String, String> labels, long from, long until) {
        List<String> out = types(labels, from, until);
        if (onlyType != null) {
            out.retainAll(List.of(onlyType));
        }
        return out;
    }

    List<String> labelValues(Map<String, String> labels, String name, long from, long until) {
        return store.labelValues(new SeriesFilter(tenant, selector(labels), from, until), name, MAX_VERSIONS);
    }

    FlameTree tree(String type, Map<String, String> labels, long from, long until) {
        return store.flameGraph(new ProfileQuery(tenant, type, selector(labels), from, until));
    }

    List<TimeSeries> totals(String type, Map<String, String> labels, long from, long until, long step, List<String> groupBy) {
        return store.totals(new ProfileQuery(tenant, type, selector(labels), from, until), step, groupBy);
    }

    /** Self value per function name divided by the tree's total (empty when the tree is). */
    static Map<String, Double> selfShares(FlameTree tree) {
        Map<String, Double> out = new HashMap<>();
        double total = tree.total();
        if (total <= 0) {
            return out;
        }
        for (FunctionStat f : tree.topFunctions(0)) {
            if (f.self() > 0) {
                out.put(f.name(), f.self() / total);
            }
        }
        return out;
    }

    /**
     * Shares of a profile by function: self shares, except that allocation profiles count by allocation site
     * ({@link MemoryLeakDetector#siteShares}): "byte[] grew" names no code.
     */
    static Map<String, Double> shares(String type, FlameTree tree) {
        return type.startsWith("alloc_") || type.startsWith("inuse_") ? MemoryLeakDetector.siteShares(tree) : selfShares(tree);
    }

    /** The profile type that best shows when a version ran: cpu, else wall, else whatever is there. */
    String activityType(Map<String, String> labels, long from, long until) {
        List<String> types = types(labels, from, until);
        for (String preferred : List.of("cpu", "wall", "alloc_bytes")) {
            if (types.contains(preferred)) {
                return preferred;
            }
        }
        return types.isEmpty() ? null : types.get(0);
    }

    /**
     * When each value of {@code version} was seen for a service: first and last bucket with data, in ascending order
     * of first appearance. A bucket counts when its total is non-zero (the totals are dense; zero means no upload).
     */
    Map<String, long[]> versionSpans(String service, long from, long until, long step) {
        long first = Math.max(from, until - MAX_BUCKETS * step);
        return memo(List.of("versions", service, first, until, step),
                () -> Collections.unmodifiableMap(readVersionSpans(service, first, until, step)));
    }

    private Map<String, long[]> readVersionSpans(String service, long from, long until, long step) {
        Map<String, String> scope = Map.of(Labels.SERVICE, service);
        String type = activityType(scope, from, until);
        Map<String, long[]> spans = new LinkedHashMap<>();
        if (type == null) {
            return spans;
        }
        List<TimeSeries> series = totals(type, scope, from, until, step, List.of(Labels.VERSION));
        List<Map.Entry<String, long[]>> found = new ArrayList<>();
        for (TimeSeries s : series) {
            String v = s.labels().get(Labels.VERSION);
            if (v == null) {
                continue;
            }
            long first = -1;
            long last = -1;
            for (int i = 0; i < s.values().length; i++) {
                if (s.values()[i] != 0) {
                    if (first < 0) {
                        first = s.timestamps()[i];
                    }
                    last = s.timestamps()[i];
                }
            }
            if (first >= 0) {
                found.add(Map.entry(v, new long[]{first, last + step}));
            }
        }
        found.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));
        for (Map.Entry<String, long[]> e : found) {
            spans.put(e.getKey(), e.getValue());
        }
        return spans;
    }
}
