package io.continuo.server.insights;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.model.Labels;
import io.continuo.model.Strings;
import io.continuo.server.http.Json;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.continuo.server.http.QueryDeadlines;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/** {@code /api/v1/insights}, {@code /api/v1/alerts...} and {@code /api/v1/cost}. See docs/insights.md. */
public final class InsightsApi {
    private static final long DEFAULT_RANGE_MS = 6 * 3_600_000L;
    private static final long MAX_RANGE_MS = 31 * 86_400_000L;

    private final InsightEngine engine;
    private final TimeParser time;

    private QueryDeadlines deadlines;

    /** Gives the insight and cost reads the server's --query-timeout deadline. */
    public InsightsApi withDeadlines(QueryDeadlines d) {
        this.deadlines = d;
        return this;
    }

    public InsightsApi(InsightEngine engine, TimeParser time) {
        this.engine = engine;
        this.time = time;
    }

    private io.javalin.http.Handler deadlined(io.javalin.http.Handler h) {
        return deadlines == null ? h : deadlines.wrap(h);
    }

    public void register(RoutesConfig app) {
        app.get("/api/v1/insights", deadlined(this::insights));
        app.get("/api/v1/alerts", this::alerts);
        app.get("/api/v1/alerts/rules", ctx -> ctx.json(Map.of("rules", rulesJson(ctx), "webhooks", engine.config().webhooks().size())));
        app.post("/api/v1/alerts/rules", this::postRule);
        app.delete("/api/v1/alerts/rules/{id}", this::deleteRule);
        app.get("/api/v1/alerts/silences", ctx -> {
            AlertManager m = existing(ctx);
            ctx.json(Map.of("silences", m == null ? List.of() : m.silences()));
        });
        app.post("/api/v1/alerts/silences", this::postSilence);
        app.delete("/api/v1/alerts/silences/{id}", ctx -> {
            AlertManager m = existing(ctx);
            if (m == null || !m.deleteSilence(ctx.pathParam("id"))) {
                throw new ApiException(404, "no silence '" + Strings.abbreviate(ctx.pathParam("id"), 60) + "'");
            }
            ctx.status(204);
        });
        app.get("/api/v1/cost", deadlined(this::cost));
    }

    /** The request tenant's alerting, created on its first rule or silence. */
    private AlertManager forWriting(Context ctx) {
        return engine.alerts(RequestContext.tenant(ctx));
    }

    /** The request tenant's alerting if it has any: reads never create state for a tenant. */
    private AlertManager existing(Context ctx) {
        return engine.existingAlerts(RequestContext.tenant(ctx));
    }

    private List<Map<String, Object>> rulesJson(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        AlertManager m = existing(ctx);
        if (m != null) {
            m.rules().forEach(r -> out.add(r.toJson()));
        }
        return out;
    }

    private void alerts(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        AlertManager manager = existing(ctx);
        for (AlertManager.Alert a : manager == null ? List.<AlertManager.Alert>of() : manager.alerts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fingerprint", a.fingerprint());
            m.put("rule", a.rule());
            m.put("state", a.state());
            m.put("silenced", a.silenced());
            m.put("severity", a.severity());
            m.put("labels", a.labels());
            m.put("activeSince", a.activeSince());
            m.put("firedAt", a.firedAt());
            m.put("resolvedAt", a.resolvedAt());
            m.put("value", a.value());
            m.put("summary", a.summary());
            m.put("link", a.link());
            m.put("culprits", a.culprits());
            out.add(m);
        }
        ctx.json(Map.of("alerts", out));
    }

    private JsonNode body(Context ctx) {
        try {
            return Json.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw ApiException.badRequest("invalid JSON body: " + Strings.abbreviate(e.getMessage(), 200));
        }
    }

    private void postRule(Context ctx) {
        AlertRule rule;
        try {
            rule = AlertRule.fromJson(body(ctx));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        forWriting(ctx).putRule(rule);
        ctx.status(201).json(rule.toJson());
    }

    private void deleteRule(Context ctx) {
        String id = ctx.pathParam("id");
        boolean removed;
        try {
            AlertManager m = existing(ctx);
            removed = m != null && m.deleteRule(id);
        } catch (IllegalStateException e) {
            throw new ApiException(409, e.getMessage());
        }
        if (!removed) {
            throw new ApiException(404, "no rule '" + Strings.abbreviate(id, 60) + "'");
        }
        ctx.status(204);
    }

    private void postSilence(Context ctx) {
        JsonNode n = body(ctx);
        String matchers = n.path("matchers").asText("");
        if (matchers.isBlank()) {
            throw ApiException.badRequest("a silence needs 'matchers' (a selector such as {service=\"shop\",kind=\"cpu_spike\"})");
        }
        long until = time.parseMillis("until", n.path("until").asText(null), -1);
        if (until < 0) {
            throw ApiException.badRequest("a silence needs 'until' (e.g. now+2h or unix ms)");
        }
        try {
            ctx.status(201).json(forWriting(ctx).silence(matchers, until, n.path("comment").asText("")));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private void cost(Context ctx) {
        long[] r = range(ctx);
        String groupBy = ctx.queryParamAsClass("groupBy", String.class).getOrDefault("service");
        if (!groupBy.equals("service") && !groupBy.equals("endpoint") && !groupBy.equals("function")) {
            throw ApiException.badRequest("invalid 'groupBy': expected service, endpoint or function");
        }
        ctx.json(engine.cost().cost(RequestContext.tenant(ctx), RequestContext.selector(ctx, "query"), r[0], r[1], groupBy));
    }

    private long[] range(Context ctx) {
        TimeParser.Range r = time.range("from", ctx.queryParam("from"), "until", ctx.queryParam("until"),
                DEFAULT_RANGE_MS, MAX_RANGE_MS, false);
        return new long[]{r.from(), r.until()};
    }

    private void insights(Context ctx) {
        long[] r = range(ctx);
        String kind = ctx.queryParam("kind");
        String service = ctx.queryParam("service");
        String type = ctx.queryParam("type");
        if (service != null && !service.isEmpty() && service.length() > 200) {
            throw ApiException.badRequest("'service' longer than 200 characters");
        }
        List<Insight> out = new ArrayList<>();
        String only = service == null || service.isEmpty() ? null : service;
        String onlyType = type == null || type.isEmpty() ? null : type;
        for (Insight i : engine.insights(RequestContext.tenant(ctx), r[0], r[1], only, onlyType)) {
            if (kind == null || kind.isEmpty() || kind.equals(i.kind())) {
                out.add(i);
            }
        }
        ctx.json(out);
    }

    static String serviceOf(Labels labels) {
        return labels.get(Labels.SERVICE);
    }
}
