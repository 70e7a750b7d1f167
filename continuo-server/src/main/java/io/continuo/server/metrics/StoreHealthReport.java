package io.continuo.server.metrics;

import io.continuo.store.StoreFailure;
import io.continuo.store.StoreHealth;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the store's health reaches operators: {@code /healthz} answers {@code ok} (200) while the store takes writes
 * and 503 with a JSON reason while it does not (a load balancer stops sending uploads, and it turns 200 again by
 * itself when the store recovers); {@code /metrics} gets {@code continuo_store_healthy} and
 * {@code continuo_store_write_failures_total{reason}}. Reading health never touches the database, so both answer
 * even while the store is stuck. See docs/operations.md.
 */
public final class StoreHealthReport {
    private StoreHealthReport() {
    }

    public static void healthz(Context ctx, StoreHealth health) {
        if (health.healthy()) {
            ctx.result("ok");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "unavailable");
        body.put("reason", health.failure().reason());
        body.put("error", health.message() == null ? health.failure().reason() : health.message());
        body.put("sinceMillis", health.sinceMillis());
        ctx.status(503).header("Retry-After", "10").json(body);
    }

    /** Prometheus text for the store's health, appended to the server's own metrics. */
    public static String metrics(StoreHealth health) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("# HELP continuo_store_healthy 1 while the store takes writes, 0 while it is out of service.\n");
        sb.append("# TYPE continuo_store_healthy gauge\n");
        sb.append("continuo_store_healthy ").append(health.healthy() ? 1 : 0).append('\n');
        sb.append("# HELP continuo_store_write_failures_total Writes the store failed or refused, by reason.\n");
        sb.append("# TYPE continuo_store_write_failures_total counter\n");
        for (StoreFailure f : StoreFailure.values()) {
            sb.append("continuo_store_write_failures_total{reason=\"").append(f.reason()).append("\"} ")
                    .append(health.writeFailures().getOrDefault(f.reason(), 0L)).append('\n');
        }
        return sb.toString();
    }
}
