package io.continuo.server.query;

import io.continuo.model.FlameTree;
import io.continuo.model.FunctionStat;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.QueryDeadlines;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.formats.pprof.PprofExport;
import io.continuo.model.LabelMatcher;
import io.continuo.store.MetricQuery;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.QueryDeadline;
import io.continuo.store.SeriesFilter;
import io.continuo.store.TimeSeries;
import io.continuo.store.TraceQuery;
import io.continuo.store.TraceSummary;
import io.continuo.store.TypeInfo;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON query API: flame graphs, time series, diffs, top functions, labels, traces. See docs/api.md. */
public final class QueryApi {
    private static final String JSON = "application/json";
    /** A trace lookup searches the last week by default: a trace id is worth finding wherever it is. */
    private static final long TRACE_DEFAULT_SPAN_MILLIS = 7 * 86_400_000L;

    private final ProfileStore store;
    private final TimeParser time;
    private final ServerMetrics metrics;
    private static final int MAX_EXPORT_GROUPS = 1_000;

    private final ProfileExporter exporter;
    private final QueryDeadlines deadlines;

    /** @param deadlines gives each query its --query-timeout deadline */
    public QueryApi(ProfileStore store, TimeParser time, ServerMetrics metrics, ProfileExporter exporter,
                    QueryDeadlines deadlines) {
        this.store = store;
        this.time = time;
        this.metrics = metrics;
        this.exporter = exporter;
        this.deadlines = deadlines;
    }

    /** Set on query answers that leave out data the store cannot reach right now ({@code ProfileStore.unavailable}). */
    public static final String PARTIAL_HEADER = "X-Continuo-Partial";

    public void register(RoutesConfig app) {
        app.get("/api/v1/query/flamegraph", timed("flamegraph", this::flameGraph));
        app.get("/api/v1/query/timeseries", timed("timeseries", this::timeSeries));
        app.get("/api/v1/query/diff", timed("diff", this::diff));
        app.get("/api/v1/query/top", timed("top", this::top));
        app.get("/api/v1/query/sandwich", timed("sandwich", this::sandwich));
        app.get("/api/v1/query/trace", timed("trace", this::trace));
        app.get("/api/v1/query/traces", timed("traces", this::traces));
        app.get("/api/v1/query/metric", timed("metric", this::metric));
        app.get("/api/v1/labels", timed("labels", this::labelNames));
        app.get("/api/v1/label/{name}/values", timed("label_values", this::labelValues));
        app.get("/api/v1/types", timed("types", this::types));
        app.get("/api/v1/services", timed("services", this::services));
        app.get("/api/v1/metrics/names", timed("metric_names", this::metricNames));
    }

    private Handler timed(String endpoint, Handler handler) {
        return deadlines.wrap(ctx -> {
            long start = System.nanoTime();
            try {
                handler.handle(ctx);
                if (!store.unavailable().isEmpty()) {
                    // Part of the data could not be reached (e.g. a ClickHouse shard is down): the answer is partial.
                    ctx.header(PARTIAL_HEADER, "true");
                }
            } finally {
                metrics.observeSeconds("continuo_query_duration_seconds", "Query latency by endpoint.",
                        "endpoint", endpoint, (System.nanoTime() - start) / 1e9);
            }
        });
    }

    private ProfileQuery profileQuery(Context ctx, String queryParam, String fromParam, String untilParam) {
        long[] range = RequestContext.range(ctx, time, fromParam, untilParam);
        return new ProfileQuery(RequestContext.tenant(ctx), RequestContext.type(ctx),
                RequestContext.selector(ctx, queryParam), range[0], range[1]);
    }

    private void flameGraph(Context ctx) {
        ProfileQuery q = profileQuery(ctx, "query", "from", "until");
        FlameTree tree = store.flameGraph(q);
        respondTree(ctx, q, tree, "profile");
    }

    private void respondTree(Context ctx, ProfileQuery q, FlameTree tree, String fileName) {
        String format = ctx.queryParamAsClass("format", String.class).getOrDefault("json");
        switch (format) {
            case "json", "flamebearer" -> {
                QueryDeadline.check();
                int maxNodes = RequestContext.intParam(ctx, "maxNodes", QueryLimits.DEFAULT_MAX_NODES, 2, QueryLimits.MAX_MAX_NODES);
                Map<String, Object> body = header(q, tree.total());
                body.put("maxNodes", maxNodes);
                body.putAll(FlameJson.layout(tree.prune(maxNodes), 1.0, "flamebearer".equals(format)));
                ctx.json(body);
            }
            case "collapsed" -> {
                StringBuilder sb = new StringBuilder();
                tree.forEachStack(0, (path, v) -> sb.append(String.join(";", path)).append(' ').append(v).append('\n'));
                ctx.contentType("text/plain; charset=utf-8").result(sb.toString());
            }
            case "pprof" -> {
                ctx.header("Content-Disposition", "attachment; filename=\"" + fileName + "." + q.type() + ".pb.gz\"");
                List<String> groupBy = groupBy(ctx);
                List<PprofExport.Group> groups = groupBy.isEmpty() || fileName.equals("trace")
                        ? List.of(new PprofExport.Group(Labels.EMPTY, tree)) : exportGroups(q, groupBy);
                ctx.contentType("application/octet-stream").result(exporter.pprof(q.type(), groups, q.fromMillis(), q.untilMillis()));
            }
            default -> throw ApiException.badRequest("invalid 'format': expected json, flamebearer, collapsed or pprof, got '"
                    + io.continuo.model.Strings.abbreviate(format, 40) + "'");
        }
    }

    /**
     * A pprof export grouped by labels: one flame graph per combination of the labels' values (series without a
     * label are the group where it is absent), so the samples carry them as pprof labels ({@code -tagfocus}).
     */
    private List<PprofExport.Group> exportGroups(ProfileQuery q, List<String> groupBy) {
        List<PprofExport.Group> out = new ArrayList<>();
        addGroups(q, groupBy, 0, q.selector(), Labels.EMPTY, out);
        return out;
    }

    private void addGroups(ProfileQuery q, List<String> groupBy, int index, Selector selector, Labels labels,
                           List<PprofExport.Group> out) {
        if (out.size() > MAX_EXPORT_GROUPS) {
            throw ApiException.badRequest("too many groups for a pprof export: more than " + MAX_EXPORT_GROUPS
                    + " combinations of " + groupBy);
        }
        if (index == groupBy.size()) {
            FlameTree tree = store.flameGraph(new ProfileQuery(q.tenant(), q.type(), selector, q.fromMillis(), q.untilMillis()));
            if (tree.total() != 0) {
                out.add(new PprofExport.Group(labels, tree));
            }
            return;
        }
        String name = groupBy.get(index);
        List<String> values = store.labelValues(new SeriesFilter(q.tenant(), selector, q.fromMillis(), q.untilMillis()),
                name, MAX_EXPORT_GROUPS + 1);
        for (String value : values) {
            addGroups(q, groupBy, index + 1, selector.and(LabelMatcher.of(name, LabelMatcher.Op.EQ, value)),
                    labels.merge(Labels.of(name, value)), out);
        }
        // series without the label: Prometheus' name="" matches an absent label
        addGroups(q, groupBy, index + 1, selector.and(LabelMatcher.of(name, LabelMatcher.Op.EQ, "")), labels, out);
    }

    private Map<String, Object> header(ProfileQuery q, long total) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", q.type());
        body.put("unit", unitOf(q.type()));
        body.put("query", q.selector().toString());
        body.put("from", q.fromMillis());
        body.put("until", q.untilMillis());
        body.put("total", total);
        if (!store.unavailable().isEmpty()) {
            body.put("partial", true);
        }
        return body;
    }

    /** Units are fixed by the type name for Continuo's types; other pprof types are counted. */
    private static String unitOf(String type) {
        return io.continuo.model.ProfileType.of(type).unit();
    }

    private void timeSeries(Context ctx) {
        ProfileQuery q = profileQuery(ctx, "query", "from", "until");
        long step = step(ctx, q.untilMillis() - q.fromMillis());
        List<String> groupBy = groupBy(ctx);
        List<TimeSeries> series = store.totals(q, step, groupBy);
        Map<String, Object> body = header(q, 0);
        body.remove("total");
        body.put("step", step / 1000.0);
        body.put("stepMs", step);
        body.put("groupBy", groupBy);
        body.put("series", seriesJson(series));
        ctx.json(body);
    }

    private void metric(Context ctx) {
        String name = ctx.queryParam("name");
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("missing 'name' (a runtime metric such as heap_used_after_gc_bytes)");
        }
        long[] range = RequestContext.range(ctx, time, "from", "until");
        long step = step(ctx, range[1] - range[0]);
        List<String> groupBy = groupBy(ctx);
        MetricQuery q = new MetricQuery(RequestContext.tenant(ctx), name, RequestContext.selector(ctx, "query"), range[0], range[1]);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("query", q.selector().toString());
        body.put("from", range[0]);
        body.put("until", range[1]);
        body.put("step", step / 1000.0);
        body.put("stepMs", step);
        body.put("groupBy", groupBy);
        body.put("series", seriesJson(store.metric(q, step, groupBy)));
        ctx.json(body);
    }

    /**
     * The bucket width: {@code stepMs} in milliseconds (consistent with {@code from}/{@code until}), or the legacy
     * {@code step} (a bare number is seconds; {@code 30s}, {@code 5m} also work); not both.
     */
    private long step(Context ctx, long rangeMillis) {
        String stepMs = ctx.queryParam("stepMs");
        String legacy = ctx.queryParam("step");
        long step;
        if (stepMs != null && !stepMs.isBlank()) {
            if (legacy != null && !legacy.isBlank()) {
                throw ApiException.badRequest("give 'stepMs' (milliseconds) or 'step' (seconds), not both");
            }
            step = RequestContext.longParam(ctx, "stepMs", 0, 1, Long.MAX_VALUE / 2);
        } else {
            step = TimeParser.parseDurationMillis("step", legacy, QueryLimits.autoStep(rangeMillis));
        }
        if (step <= 0) {
            throw ApiException.badRequest("'step' must be positive");
        }
        if (rangeMillis / step > QueryLimits.MAX_POINTS) {
            throw ApiException.badRequest("'step' too small: " + (rangeMillis / step) + " points (limit " + QueryLimits.MAX_POINTS + ")");
        }
        return step;
    }

    private static List<String> groupBy(Context ctx) {
        String g = ctx.queryParam("groupBy");
        if (g == null || g.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String name : g.split(",")) {
            String n = name.trim();
            if (!Labels.isValidName(n)) {
                throw ApiException.badRequest("invalid label name in 'groupBy': '" + io.continuo.model.Strings.abbreviate(n, 40) + "'");
            }
            out.add(n);
        }
        if (out.size() > 8) {
            throw ApiException.badRequest("too many 'groupBy' labels: " + out.size() + " (limit 8)");
        }
        return out;
    }

    private static List<Map<String, Object>> seriesJson(List<TimeSeries> series) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (TimeSeries s : series) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("labels", s.labels().asMap());
            List<Object[]> points = new ArrayList<>(s.timestamps().length);
            for (int i = 0; i < s.timestamps().length; i++) {
                points.add(new Object[]{s.timestamps()[i], s.values()[i]});
            }
            m.put("points", points);
            out.add(m);
        }
        return out;
    }

    private void diff(Context ctx) {
        // Each side falls back to the shared parameters: two ranges of one selector, or two selectors over one range.
        ProfileQuery left = sideQuery(ctx, "left");
        ProfileQuery right = sideQuery(ctx, "right");
        FlameTree baseline = store.flameGraph(left);
        FlameTree comparison = store.flameGraph(right);
        FlameTree diff = FlameTree.diff(baseline, comparison);
        boolean normalize = !"false".equals(ctx.queryParam("normalize"));
        double scale = normalize && comparison.total() > 0 && baseline.total() > 0
                ? (double) baseline.total() / comparison.total() : 1.0;
        int maxNodes = RequestContext.intParam(ctx, "maxNodes", QueryLimits.DEFAULT_MAX_NODES, 2, QueryLimits.MAX_MAX_NODES);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", left.type());
        body.put("unit", unitOf(left.type()));
        body.put("baseline", side(left, baseline.total()));
        body.put("comparison", side(right, comparison.total()));
        body.put("scale", scale);
        body.put("maxNodes", maxNodes);
        String format = ctx.queryParamAsClass("format", String.class).getOrDefault("json");
        if (!"json".equals(format) && !"flamebearer".equals(format)) {
            throw ApiException.badRequest("invalid 'format': expected json or flamebearer, got '"
                    + io.continuo.model.Strings.abbreviate(format, 40) + "'");
        }
        body.putAll(FlameJson.layout(diff.prune(maxNodes), scale, "flamebearer".equals(format)));
        body.put("changes", changes(baseline, comparison, 50));
        ctx.json(body);
    }

    private ProfileQuery sideQuery(Context ctx, String side) {
        String queryParam = ctx.queryParam(side + "Query") != null ? side + "Query" : "query";
        String fromParam = ctx.queryParam(side + "From") != null ? side + "From" : "from";
        String untilParam = ctx.queryParam(side + "Until") != null ? side + "Until" : "until";
        return profileQuery(ctx, queryParam, fromParam, untilParam);
    }

    private static Map<String, Object> side(ProfileQuery q, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("query", q.selector().toString());
        m.put("from", q.fromMillis());
        m.put("until", q.untilMillis());
        m.put("total", total);
        return m;
    }

    /** Functions whose share of the total changed most between the two sides, largest change first. */
    static List<Map<String, Object>> changes(FlameTree baseline, FlameTree comparison, int limit) {
        Map<String, long[]> byName = new TreeMap<>();
        for (FunctionStat f : baseline.topFunctions(0)) {
            byName.computeIfAbsent(f.name(), n -> new long[4])[0] = f.self();
            byName.get(f.name())[1] = f.total();
        }
        for (FunctionStat f : comparison.topFunctions(0)) {
            byName.computeIfAbsent(f.name(), n -> new long[4])[2] = f.self();
            byName.get(f.name())[3] = f.total();
        }
        double bt = Math.max(1, baseline.total());
        double ct = Math.max(1, comparison.total());
        List<Map<String, Object>> out = new ArrayList<>();
        byName.forEach((name, v) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("baselineSelf", v[0]);
            m.put("baselineTotal", v[1]);
            m.put("comparisonSelf", v[2]);
            m.put("comparisonTotal", v[3]);
            m.put("selfShareChange", v[2] / ct - v[0] / bt);
            m.put("totalShareChange", v[3] / ct - v[1] / bt);
            out.add(m);
        });
        out.sort(Comparator.comparingDouble((Map<String, Object> m) -> -Math.abs((double) m.get("selfShareChange"))));
        return out.subList(0, Math.min(limit, out.size()));
    }

    private void top(Context ctx) {
        ProfileQuery q = profileQuery(ctx, "query", "from", "until");
        FlameTree tree = store.flameGraph(q);
        String sort = ctx.queryParamAsClass("sort", String.class).getOrDefault("self");
        if (!sort.equals("self") && !sort.equals("total") && !sort.equals("name")) {
            throw ApiException.badRequest("invalid 'sort': expected self, total or name");
        }
        int limit = RequestContext.intParam(ctx, "limit", 100, 1, 100_000);
        List<FunctionStat> stats = new ArrayList<>(tree.topFunctions(0));
        stats.sort(switch (sort) {
            case "total" -> FunctionStat.BY_TOTAL;
            case "name" -> Comparator.comparing(FunctionStat::name);
            default -> FunctionStat.BY_SELF;
        });
        Map<String, Object> body = header(q, tree.total());
        body.put("sort", sort);
        body.put("functions", stats.subList(0, Math.min(limit, stats.size())));
        ctx.json(body);
    }

    private void sandwich(Context ctx) {
        String function = ctx.queryParam("function");
        if (function == null || function.isEmpty()) {
            throw ApiException.badRequest("missing 'function'");
        }
        ProfileQuery q = profileQuery(ctx, "query", "from", "until");
        FlameTree tree = store.flameGraph(q);
        int maxNodes = RequestContext.intParam(ctx, "maxNodes", QueryLimits.DEFAULT_MAX_NODES, 2, QueryLimits.MAX_MAX_NODES);
        Map<String, Object> body = header(q, tree.total());
        body.put("function", function);
        body.put("callers", FlameJson.levels(tree.callers(function).prune(maxNodes), 1.0));
        body.put("callees", FlameJson.levels(tree.callees(function).prune(maxNodes), 1.0));
        ctx.json(body);
    }

    private void trace(Context ctx) {
        String traceId = ctx.queryParam("traceId");
        String spanId = ctx.queryParam("spanId");
        if ((traceId == null || traceId.isBlank()) && (spanId == null || spanId.isBlank())) {
            throw ApiException.badRequest("give 'traceId' or 'spanId'");
        }
        TimeParser.Range range = time.range("from", ctx.queryParam("from"), "until", ctx.queryParam("until"),
                TRACE_DEFAULT_SPAN_MILLIS, 0, true);
        long from = range.from();
        long until = range.until();
        String type = RequestContext.type(ctx);
        TraceQuery tq = new TraceQuery(RequestContext.tenant(ctx), type, blankToNull(traceId), blankToNull(spanId), from, until);
        FlameTree tree = store.traceFlameGraph(tq);
        ProfileQuery q = new ProfileQuery(tq.tenant(), type, Selector.ALL, from, until);
        if (!"json".equals(ctx.queryParamAsClass("format", String.class).getOrDefault("json"))) {
            respondTree(ctx, q, tree, "trace");
            return;
        }
        int maxNodes = RequestContext.intParam(ctx, "maxNodes", QueryLimits.DEFAULT_MAX_NODES, 2, QueryLimits.MAX_MAX_NODES);
        Map<String, Object> body = header(q, tree.total());
        body.remove("query");
        body.put("traceId", traceId);
        body.put("spanId", spanId);
        List<TraceSummary> spans = store.spans(tq, 1000);
        body.put("spans", spans);
        body.put("maxNodes", maxNodes);
        body.putAll(FlameJson.levels(tree.prune(maxNodes), 1.0));
        ctx.json(body);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private void traces(Context ctx) {
        ProfileQuery q = profileQuery(ctx, "query", "from", "until");
        int limit = RequestContext.intParam(ctx, "limit", 100, 1, 10_000);
        Map<String, Object> body = header(q, 0);
        body.remove("total");
        body.put("traces", store.traces(q, limit));
        ctx.json(body);
    }

    private SeriesFilter filter(Context ctx) {
        long[] range = RequestContext.range(ctx, time, "from", "until");
        return new SeriesFilter(RequestContext.tenant(ctx), RequestContext.selector(ctx, "query"), range[0], range[1]);
    }

    private void labelNames(Context ctx) {
        ctx.json(Map.of("names", store.labelNames(filter(ctx))));
    }

    private void labelValues(Context ctx) {
        String name = ctx.pathParam("name");
        if (!Labels.isValidName(name)) {
            throw ApiException.badRequest("invalid label name '" + io.continuo.model.Strings.abbreviate(name, 60) + "'");
        }
        int limit = RequestContext.intParam(ctx, "limit", 1000, 1, 100_000);
        ctx.json(Map.of("name", name, "values", store.labelValues(filter(ctx), name, limit)));
    }

    private void types(Context ctx) {
        ctx.json(Map.of("types", store.profileTypes(filter(ctx))));
    }

    private void metricNames(Context ctx) {
        ctx.json(Map.of("names", store.metricNames(filter(ctx))));
    }

    private void services(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        // one store call for all services (it was one per service: a round trip each on ClickHouse)
        store.profileTypesBy(filter(ctx), Labels.SERVICE, 10_000).forEach((service, types) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", service);
            m.put("types", types);
            out.add(m);
        });
        ctx.json(Map.of("services", out));
    }
}
