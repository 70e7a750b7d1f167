package io.continuo.server.http;

import io.continuo.server.ServerConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.InternalRouter;
import io.javalin.router.ParsedEndpoint;
import io.javalin.security.RouteRole;
import io.javalin.security.Roles;

import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Default deny: with API keys configured, a request needs a valid key unless it is explicitly public. The decision is
 * taken on the endpoint Javalin's own router will run for this request (the same router, method and path string it
 * matches with), so no spelling of a path — trailing slash, {@code //}, {@code ;params}, case, percent-encoding,
 * {@code ..} — can reach an endpoint without the key that endpoint needs: either a spelling routes to the endpoint and
 * the endpoint's {@link Access} decides, or it routes nowhere and only a plainly spelled static UI file is public.
 * HTTP/1.1, h2c and gRPC requests all pass through here (one servlet behind one connector).
 */
final class AccessGate {
    /** A static file's path as the UI asks for it: plain segments, no encoding, parameters, dot segments or '//'. */
    private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*/?");
    private static final String WEB_ROOT = "/web";
    private static final Set<String> SPA_ROOTS = Set.of("/", "/trace", "/explore");

    private final ServerConfig config;
    private final Supplier<InternalRouter> router;

    AccessGate(ServerConfig config, Supplier<InternalRouter> router) {
        this.config = config;
        this.router = router;
    }

    void check(Context ctx) {
        refuseKeyInUrl(ctx);
        if (config.apiKeys().isEmpty()) {
            return;
        }
        Set<RouteRole> roles = matchedRoles(ctx);
        if (roles != null ? roles.contains(Access.PUBLIC) || roles.contains(Access.OWN_AUTH) : isStaticFile(ctx)) {
            return;
        }
        ApiKeys.authenticate(ctx, config);
    }

    /**
     * Keys in URLs end up in access logs, proxies and browser history; the key belongs in the Authorization header.
     * Refused whether or not keys are configured (without keys the parameter would silently become a label).
     */
    private static void refuseKeyInUrl(Context ctx) {
        String query = ctx.queryString();
        if (query == null) {
            return;
        }
        for (String name : ctx.queryParamMap().keySet()) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("apikey") || n.equals("api_key") || n.equals("api-key")) {
                throw ApiException.badRequest("API keys are not accepted in the URL ('" + name
                        + "' query parameter): URLs leak into logs; send 'Authorization: Bearer <key>' instead");
            }
        }
    }

    /** The roles of the endpoint the router will run, or null when no endpoint matches (static files, 404). */
    private Set<RouteRole> matchedRoles(Context ctx) {
        String path = routedPath(ctx);
        HandlerType method = ctx.method();
        ParsedEndpoint endpoint = first(method, path);
        if (endpoint == null && method == HandlerType.HEAD) {
            // a HEAD may be answered by a GET endpoint: it runs that endpoint's handler
            endpoint = first(HandlerType.GET, path);
        }
        if (endpoint == null) {
            return null;
        }
        Roles roles = endpoint.endpoint.metadata(Roles.class);
        return roles == null ? Set.of() : roles.getRoles();
    }

    private ParsedEndpoint first(HandlerType method, String path) {
        return router.get().findFirstHttpHandlerEntry(method, path);
    }

    /** The string Javalin's servlet routes with: the request URI without the context path. */
    private static String routedPath(Context ctx) {
        String path = ctx.path();
        String contextPath = ctx.contextPath();
        return contextPath != null && !contextPath.isEmpty() && path.startsWith(contextPath)
                ? path.substring(contextPath.length()) : path;
    }

    /** A GET/HEAD of a UI file that exists, spelled plainly; anything else that routes nowhere needs a key. */
    private static boolean isStaticFile(Context ctx) {
        if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD) {
            return false;
        }
        String path = routedPath(ctx);
        if (!PLAIN_PATH.matcher(path).matches()) {
            return false;
        }
        if (SPA_ROOTS.contains(path) || path.startsWith("/trace/") || path.startsWith("/explore/")) {
            return true;
        }
        return !path.endsWith("/") && AccessGate.class.getResource(WEB_ROOT + path) != null;
    }
}
