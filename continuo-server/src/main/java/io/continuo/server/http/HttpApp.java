package io.continuo.server.http;

import io.continuo.model.ValidationException;
import io.continuo.server.ServerConfig;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.store.StoreException;
import io.continuo.store.StoreLimitException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Javalin application: static UI, authentication and tenancy, and the one place where failures become
 * status codes with a JSON body {@code {"error": "..."}}.
 */
public final class HttpApp {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApp.class);
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private HttpApp() {
    }

    public static Javalin create(ServerConfig config, ServerMetrics metrics) {
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.useVirtualThreads = false;
            cfg.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/web";
                s.location = Location.CLASSPATH;
            });
            cfg.spaRoot.addFile("/trace", "/web/index.html", Location.CLASSPATH);
            cfg.spaRoot.addFile("/explore", "/web/index.html", Location.CLASSPATH);
            // One port for HTTP/1.1 and HTTP/2 cleartext by prior knowledge, so OTLP/gRPC exporters send to the
            // same address as everything else.
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http),
                        new PriorKnowledgeH2c(http));
                connector.setHost(config.host());
                connector.setPort(config.port());
                return connector;
            });
        });
        app.before(ctx -> authenticate(ctx, config));
        app.exception(ApiException.class, (e, ctx) -> error(ctx, metrics, e.status(), e.getMessage()));
        app.exception(ValidationException.class, (e, ctx) -> error(ctx, metrics, 400, e.getMessage()));
        app.exception(StoreLimitException.class, (e, ctx) -> error(ctx, metrics, 429, e.getMessage()));
        app.exception(StoreException.class, (e, ctx) -> {
            LOG.warn("store failure on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, metrics, 503, "store unavailable: " + e.getMessage());
        });
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, metrics, e.getStatus(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, metrics, 500, "internal error: " + e.getClass().getSimpleName());
        });
        return app;
    }

    private static void error(Context ctx, ServerMetrics metrics, int status, String message) {
        metrics.inc("continuo_requests_rejected_total", "Requests answered with an error, by status.", "status",
                Integer.toString(status), 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message == null ? "error" : message);
        body.put("status", status);
        ctx.status(status).json(body);
    }

    /**
     * Paths whose requests need an API key when keys are configured. The OTLP path ({@code /v1development/}) checks
     * the same rule in its handler ({@link ApiKeys}), so that its refusals are OTLP Status messages.
     */
    private static boolean needsAuth(String path) {
        return path.startsWith("/api/") || path.equals("/ingest") || path.startsWith("/pyroscope/") || path.startsWith("/push.v1.")
                || path.startsWith("/querier.v1.") || path.startsWith("/settings.v1.");
    }

    /** Validates {@code X-Scope-OrgID} and records the request's tenant; on the API paths, checks the API key. */
    private static void authenticate(Context ctx, ServerConfig config) {
        String requestedTenant = ctx.header(ApiKeys.TENANT_HEADER);
        if (requestedTenant != null && !TENANT.matcher(requestedTenant).matches()) {
            throw ApiException.badRequest("invalid " + ApiKeys.TENANT_HEADER + ": expected 1-64 letters, digits, '_', '.', '-'");
        }
        ctx.attribute(RequestContext.TENANT_ATTRIBUTE, requestedTenant == null ? ServerConfig.DEFAULT_TENANT : requestedTenant);
        if (needsAuth(ctx.path())) {
            ApiKeys.authenticate(ctx, config);
        }
    }
}
