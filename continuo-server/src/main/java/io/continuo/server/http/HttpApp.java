package io.continuo.server.http;

import io.continuo.model.ValidationException;
import io.continuo.server.ServerConfig;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.store.QueryTimeoutException;
import io.continuo.store.StoreException;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreLimitException;
import io.continuo.store.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The Javalin application: static UI, authentication ({@link AccessGate}: default deny) and tenancy, and the one place where failures become
 * status codes with a JSON body {@code {"error": "..."}}.
 */
public final class HttpApp {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApp.class);
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private HttpApp() {
    }

    /**
     * @param routes receives every endpoint as it is registered, for the access tests to enumerate
     * @param endpoints registers the API's endpoints (Javalin 7 takes every route in the config, before the start)
     */
    public static Javalin create(ServerConfig config, ServerMetrics metrics, RouteTable routes,
                                 Consumer<RoutesConfig> endpoints) {
        Javalin[] self = new Javalin[1];
        AccessGate gate = new AccessGate(config, () -> self[0].unsafe.internalRouter);
        UploadBudget uploads = new UploadBudget(config.maxConcurrentUploads(), config.decodeBudgetBytes(),
                config.decodeWait().toMillis(), config.maxDecompressedBytes());
        Javalin app = Javalin.create(cfg -> {
            cfg.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod()) {
                    routes.add(h.getHttpMethod().name(), h.getPath(), h.getRoles());
                }
            });
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.concurrency.useVirtualThreads = false;
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
                // slow clients: a body slower than --min-request-rate is cut (408), headers slower than
                // --header-timeout close the connection, and silence for --idle-timeout ends it. Jetty 12 deprecates
                // the min request rate here (its ee10 servlet input still enforces it per request); its successor
                // MinimumDataRateHandler compares, in 12.1.12, the handler's total bytes read rather than this request's.
                http.setMinRequestDataRate(config.minRequestDataRate());
                PriorKnowledgeH2c h2c = new PriorKnowledgeH2c(http);
                h2c.setStreamIdleTimeout(config.idleTimeout().toMillis());
                ServerConnector connector = new ServerConnector(server,
                        new HeaderTimeout(http, config.headerTimeout().toMillis()), h2c);
                connector.setIdleTimeout(config.idleTimeout().toMillis());
                connector.setHost(config.host());
                connector.setPort(config.port());
                return connector;
            });
            RoutesConfig r = cfg.routes;
            r.before(ctx -> {
                tenant(ctx);
                gate.check(ctx);
                ctx.attribute(UploadBudget.BUDGET, uploads);
            });
            r.after(uploads::release);
            exceptions(r, metrics);
            endpoints.accept(r);
        });
        self[0] = app;
        return app;
    }

    private static void exceptions(RoutesConfig app, ServerMetrics metrics) {
        app.exception(ApiException.class, (e, ctx) -> {
            if (e.retryAfterSeconds() > 0) {
                ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
            }
            error(ctx, metrics, e.status(), e.getMessage());
        });
        app.exception(ValidationException.class, (e, ctx) -> error(ctx, metrics, 400, e.getMessage()));
        app.exception(StoreLimitException.class, (e, ctx) -> error(ctx, metrics, 429, e.getMessage()));
        app.exception(StoreUnavailableException.class, (e, ctx) -> {
            // Expected and passing (disk full, queue full, reopening): one line, no stack trace per request.
            LOG.warn("store unavailable on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            error(ctx, metrics, storeStatus(e), "store unavailable: " + e.getMessage());
        });
        app.exception(QueryTimeoutException.class, (e, ctx) -> error(ctx, metrics, 503, e.getMessage()));
        app.exception(StoreException.class, (e, ctx) -> {
            LOG.warn("store failure on {} {}", ctx.method(), ctx.path(), e);
            ctx.header("Retry-After", "5");
            error(ctx, metrics, 503, "store unavailable: " + e.getMessage());
        });
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, metrics, e.getStatus(), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, metrics, 500, "internal error: " + e.getClass().getSimpleName());
        });
    }

    /** 507 Insufficient Storage for a full disk (not worth retrying at once), 503 for every other passing failure. */
    public static int storeStatus(StoreUnavailableException e) {
        return e.failure() == StoreFailure.DISK_FULL ? 507 : 503;
    }

    private static void error(Context ctx, ServerMetrics metrics, int status, String message) {
        metrics.inc("continuo_requests_rejected_total", "Requests answered with an error, by status.", "status",
                Integer.toString(status), 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message == null ? "error" : message);
        body.put("status", status);
        ctx.status(status).json(body);
    }

    /** Validates {@code X-Scope-OrgID} and records the request's tenant (a bound API key replaces it later). */
    private static void tenant(Context ctx) {
        String requestedTenant = ctx.header(ApiKeys.TENANT_HEADER);
        if (requestedTenant != null && !TENANT.matcher(requestedTenant).matches()) {
            throw ApiException.badRequest("invalid " + ApiKeys.TENANT_HEADER + ": expected 1-64 letters, digits, '_', '.', '-'");
        }
        ctx.attribute(RequestContext.TENANT_ATTRIBUTE, requestedTenant == null ? ServerConfig.DEFAULT_TENANT : requestedTenant);
    }
}
