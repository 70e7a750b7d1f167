package io.continuo.server.ingest;

import io.continuo.server.ServerConfig;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.RequestContext;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * API keys and tenants for the OTLP path, by the rule {@code HttpApp} applies to the other ingest paths: when keys
 * are configured a request needs one (Bearer, Basic or {@code apiKey}), and a key bound to a tenant writes only
 * there. {@code /v1development/} is not among {@code HttpApp}'s authenticated prefixes, so without this the OTLP
 * endpoint would accept anyone; once the prefix is added there this check is a harmless repeat.
 */
final class OtlpAuthentication {
    private static final String TENANT_HEADER = "X-Scope-OrgID";

    private OtlpAuthentication() {
    }

    static void check(Context ctx, ServerConfig config) {
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

    /** Bearer token (the Collector's bearertokenauth or a headers entry), or Basic auth's password, else the user. */
    private static String presentedKey(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth == null) {
            return ctx.queryParam("apiKey");
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
