package io.continuo.server.http;

import io.continuo.server.ServerConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The API key rule, in one place for every endpoint that needs it: when the server has keys, a request must present
 * one, and a key bound to a tenant acts only for that tenant (it replaces the tenant the request asked for, and
 * refuses another one named in {@code X-Scope-OrgID}).
 */
public final class ApiKeys {
    static final String TENANT_HEADER = "X-Scope-OrgID";

    private ApiKeys() {
    }

    /** Throws a 401/403 {@link ApiException} when the request may not proceed; records a bound key's tenant. */
    public static void authenticate(Context ctx, ServerConfig config) {
        if (config.apiKeys().isEmpty()) {
            return;
        }
        String key = presentedKey(ctx);
        if (key == null || !config.apiKeys().containsKey(key)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, key == null ? "missing API key: send 'Authorization: Bearer <key>'" : "invalid API key");
        }
        String bound = config.apiKeys().get(key);
        if (!bound.isEmpty()) {
            String requested = ctx.header(TENANT_HEADER);
            if (requested != null && !requested.equals(bound)) {
                throw new ApiException(403, "this API key may not access tenant '" + requested + "'");
            }
            ctx.attribute(RequestContext.TENANT_ATTRIBUTE, bound);
        }
    }

    /**
     * What a request's key lets it see of data kept per tenant: {@code null} without a valid key, {@code ""} for a key
     * bound to no tenant (an operator's key: every tenant), else the key's one tenant. With no keys configured, "".
     */
    public static String scope(Context ctx, ServerConfig config) {
        if (config.apiKeys().isEmpty()) {
            return "";
        }
        String key = presentedKey(ctx);
        return key == null ? null : config.apiKeys().get(key);
    }

    /**
     * Bearer token, or the password (else the user) of Basic auth, as the Pyroscope SDKs send either. Never a query
     * parameter: {@link AccessGate} refuses keys in URLs, which leak into logs.
     */
    private static String presentedKey(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth == null) {
            return null;
        }
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String user = colon < 0 ? decoded : decoded.substring(0, colon);
                String password = colon < 0 ? "" : decoded.substring(colon + 1);
                return password.isEmpty() ? user : password;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }
}
