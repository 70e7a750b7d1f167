package io.continuo.server.http;

import io.continuo.model.Selector;
import io.continuo.server.ServerConfig;
import io.javalin.http.Context;

/** Reads the parameters every query shares: tenant, type, selector and time range. */
public final class RequestContext {
    public static final String TENANT_ATTRIBUTE = "continuo.tenant";

    private RequestContext() {
    }

    public static String tenant(Context ctx) {
        String t = ctx.attribute(TENANT_ATTRIBUTE);
        return t == null ? ServerConfig.DEFAULT_TENANT : t;
    }

    public static Selector selector(Context ctx, String param) {
        return Selector.parse(ctx.queryParam(param));
    }

    public static String type(Context ctx) {
        String type = ctx.queryParam("type");
        if (type == null || type.isBlank()) {
            return "cpu";
        }
        if (type.length() > 64) {
            throw ApiException.badRequest("invalid 'type': longer than 64 characters");
        }
        return type;
    }

    /** [from, until] in unix ms; defaults to the last hour; inverted ranges are refused. */
    public static long[] range(Context ctx, TimeParser time, String fromParam, String untilParam) {
        TimeParser.Range r = time.range(fromParam, ctx.queryParam(fromParam), untilParam, ctx.queryParam(untilParam),
                3_600_000L, 0, true);
        return new long[]{r.from(), r.until()};
    }

    public static long longParam(Context ctx, String name, long fallback, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw ApiException.badRequest("'" + name + "' must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'" + name + "' must be an integer, got '" + io.continuo.model.Strings.abbreviate(v, 40) + "'");
        }
    }

    public static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw ApiException.badRequest("'" + name + "' must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'" + name + "' must be an integer, got '" + io.continuo.model.Strings.abbreviate(v, 40) + "'");
        }
    }
}
