package io.continuo.server.insights;

import io.continuo.model.Labels;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

/** {@code /api/v1/insights}, {@code /api/v1/alerts...} and {@code /api/v1/cost}. See docs/insights.md. */
public final class InsightsApi {
    private static final long DEFAULT_RANGE_MS = 6 * 3_600_000L;
    private static final long MAX_RANGE_MS = 31 * 86_400_000L;

    private final InsightEngine engine;
    private final TimeParser time;

    public InsightsApi(InsightEngine engine, TimeParser time) {
        this.engine = engine;
        this.time = time;
    }

    public void register(Javalin app) {
        app.get("/api/v1/insights", this::insights);
    }

    private long[] range(Context ctx) {
        long until = time.parseMillis("until", ctx.queryParam("until"), time.nowMillis());
        long from = time.parseMillis("from", ctx.queryParam("from"), until - DEFAULT_RANGE_MS);
        if (from >= until) {
            throw ApiException.badRequest("inverted or empty time range: 'from' (" + from + ") is not before 'until' (" + until + ")");
        }
        if (until - from > MAX_RANGE_MS) {
            throw ApiException.badRequest("time range too long: at most 31 days");
        }
        return new long[]{from, until};
    }

    private void insights(Context ctx) {
        long[] r = range(ctx);
        String kind = ctx.queryParam("kind");
        String service = ctx.queryParam("service");
        if (service != null && !service.isEmpty() && service.length() > 200) {
            throw ApiException.badRequest("'service' longer than 200 characters");
        }
        List<Insight> out = new ArrayList<>();
        for (Insight i : engine.evaluate(RequestContext.tenant(ctx), r[0], r[1])) {
            if ((kind == null || kind.isEmpty() || kind.equals(i.kind()))
                    && (service == null || service.isEmpty() || service.equals(i.service()))) {
                out.add(i);
            }
        }
        ctx.json(out);
    }

    static String serviceOf(Labels labels) {
        return labels.get(Labels.SERVICE);
    }
}
