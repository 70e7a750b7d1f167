package io.continuo.server.pyroscope;

import io.continuo.model.FlameTree;
import io.continuo.model.LabelMatcher;
import io.continuo.model.Strings;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.server.pyroscope.proto.TypesProto;
import io.continuo.server.query.QueryLimits;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.TimeSeries;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.util.List;

/**
 * Pyroscope's older HTTP query API, still used by the Drilldown app's timeline and comparison views and by tools
 * from before the Connect API: {@code /pyroscope/render} (flamebearer JSON with a timeline),
 * {@code /pyroscope/render-diff}, {@code /pyroscope/label-values} and {@code /pyroscope/label-names}.
 * Errors are the server's usual JSON errors.
 */
final class RenderApi {
    private final QuerierService querier;
    private final ProfileStore store;
    private final TimeParser time;

    RenderApi(QuerierService querier, ProfileStore store, TimeParser time) {
        this.querier = querier;
        this.store = store;
        this.time = time;
    }

    void register(RoutesConfig app) {
        app.get("/pyroscope/render", http(this::render));
        app.get("/pyroscope/render-diff", http(this::renderDiff));
        app.get("/pyroscope/label-values", http(this::labelValues));
        app.get("/pyroscope/label-names", http(this::labelNames));
    }

    /** Connect-style failures from the shared code become the HTTP API's errors. */
    private static Handler http(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (ConnectException e) {
                throw new ApiException(e.code().httpStatus(), e.getMessage());
            }
        };
    }

    private void render(Context ctx) {
        checkFormat(ctx);
        RenderQuery q = RenderQuery.parse(ctx.queryParam("query"));
        long[] range = range(ctx, "from", "until");
        QuerierProto.SelectMergeStacktracesRequest request = request(q, range, maxNodes(ctx));
        FlameTree tree = querier.mergedTree(RequestContext.tenant(ctx), request);
        long step = QueryLimits.autoStep(range[1] - range[0]);
        TimeSeries timeline = null;
        if (q.selector().accepts(q.type()) && range[1] > range[0]) {
            List<TimeSeries> series = store.totals(new ProfileQuery(RequestContext.tenant(ctx), q.type().continuoType(),
                    q.selector().store(), range[0], range[1]), step, List.of());
            timeline = series.isEmpty() ? null : series.get(0);
        }
        QuerierProto.FlameGraph fg = FlameGraphs.single(tree.prune(maxNodesOrDefault(request)));
        ctx.json(Flamebearer.single(fg, q.type(), timeline, step));
    }

    private void renderDiff(Context ctx) {
        checkFormat(ctx);
        RenderQuery left = RenderQuery.parse(ctx.queryParam("leftQuery"));
        RenderQuery right = RenderQuery.parse(ctx.queryParam("rightQuery"));
        if (!left.type().continuoType().equals(right.type().continuoType())) {
            throw ApiException.badRequest("leftQuery and rightQuery name different profile types: '"
                    + left.type().id() + "' and '" + right.type().id() + "'");
        }
        long maxNodes = maxNodes(ctx);
        QuerierProto.DiffRequest diff = QuerierProto.DiffRequest.newBuilder()
                .setLeft(request(left, range(ctx, "leftFrom", "leftUntil"), maxNodes))
                .setRight(request(right, range(ctx, "rightFrom", "rightUntil"), maxNodes)).build();
        ctx.json(Flamebearer.diff(querier.diff(RequestContext.tenant(ctx), diff).getFlamegraph(), left.type()));
    }

    /** Values of one label (label=__name__: the profile type ids), as a JSON array. */
    private void labelValues(Context ctx) {
        String label = ctx.queryParam("label");
        if (label == null || label.isBlank()) {
            throw ApiException.badRequest("missing 'label'");
        }
        long[] range = range(ctx, "from", "until");
        String tenant = RequestContext.tenant(ctx);
        if (label.equals(LabelNames.NAME)) {
            ctx.json(querier.types(tenant, PyroscopeSelector.ALL, range).stream().map(PyroscopeType::id).toList());
            return;
        }
        TypesProto.LabelValuesRequest.Builder r = TypesProto.LabelValuesRequest.newBuilder()
                .setName(label).setStart(range[0]).setEnd(range[1]);
        String query = ctx.queryParam("query");
        if (query != null && !query.isBlank()) {
            r.addMatchers(selectorPart(query));
        }
        ctx.json(querier.labelValues(tenant, r.build()).getNamesList());
    }

    private void labelNames(Context ctx) {
        long[] range = range(ctx, "from", "until");
        TypesProto.LabelNamesRequest.Builder r = TypesProto.LabelNamesRequest.newBuilder().setStart(range[0]).setEnd(range[1]);
        String query = ctx.queryParam("query");
        if (query != null && !query.isBlank()) {
            r.addMatchers(selectorPart(query));
        }
        ctx.json(querier.labelNames(RequestContext.tenant(ctx), r.build()).getNamesList());
    }

    /** The selector of a label query, with a leading profile type or APP.TYPE turned into matchers. */
    private static String selectorPart(String query) {
        if (query.trim().startsWith("{")) {
            return query;
        }
        RenderQuery q = RenderQuery.parse(query);
        return "{" + LabelNames.PROFILE_TYPE + "=\"" + q.type().id() + "\"" + (q.selector().store().matchers().isEmpty() ? "" : ","
                + q.selector().store().toString().substring(1));
    }

    private static QuerierProto.SelectMergeStacktracesRequest request(RenderQuery q, long[] range, long maxNodes) {
        QuerierProto.SelectMergeStacktracesRequest.Builder b = QuerierProto.SelectMergeStacktracesRequest.newBuilder()
                .setProfileTypeID(q.type().id())
                .setLabelSelector(selectorText(q.selector()))
                .setStart(range[0]).setEnd(range[1]);
        if (maxNodes > 0) {
            b.setMaxNodes(maxNodes);
        }
        return b.build();
    }

    /** The selector back as Pyroscope text (store labels renamed back; type matchers kept). */
    private static String selectorText(PyroscopeSelector sel) {
        StringBuilder sb = new StringBuilder("{");
        for (LabelMatcher m : sel.store().matchers()) {
            append(sb, LabelMatcher.of(LabelNames.toPyroscope(m.name()), m.op(), m.value()));
        }
        for (LabelMatcher m : sel.types()) {
            append(sb, m);
        }
        if (sel.matchesNone()) {
            // a condition no series meets, so the parsed request selects nothing, as this one does
            append(sb, LabelMatcher.of("__none__", LabelMatcher.Op.EQ, "x"));
        }
        return sb.append('}').toString();
    }

    private static void append(StringBuilder sb, LabelMatcher m) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append(m);
    }

    private long[] range(Context ctx, String fromParam, String untilParam) {
        long until = time.parseMillis(untilParam, ctx.queryParam(untilParam), time.nowMillis());
        long from = time.parseMillis(fromParam, ctx.queryParam(fromParam), until - QueryLimits.DEFAULT_RANGE_MILLIS);
        if (from > until) {
            throw ApiException.badRequest("inverted time range: '" + fromParam + "' is after '" + untilParam + "'");
        }
        return new long[]{from, until};
    }

    /** {@code max-nodes} (Pyroscope's spelling) or {@code maxNodes}; 0 when absent. */
    private static long maxNodes(Context ctx) {
        String v = ctx.queryParam("max-nodes");
        if (ctx.queryParam("maxNodes") != null) {
            v = ctx.queryParam("maxNodes");
        }
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw ApiException.badRequest("'max-nodes' must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'max-nodes' must be an integer, got '" + Strings.abbreviate(v, 40) + "'");
        }
    }

    private static int maxNodesOrDefault(QuerierProto.SelectMergeStacktracesRequest r) {
        long n = r.hasMaxNodes() && r.getMaxNodes() > 0 ? r.getMaxNodes() : QuerierService.DEFAULT_MAX_NODES;
        return (int) Math.max(2, Math.min(n, QueryLimits.MAX_MAX_NODES));
    }

    private static void checkFormat(Context ctx) {
        String format = ctx.queryParam("format");
        if (format != null && !format.isBlank() && !format.equals("json")) {
            throw ApiException.badRequest("invalid 'format': only json is served, got '" + Strings.abbreviate(format, 40) + "'");
        }
    }
}
