package io.continuo.agent.config;

import io.continuo.agent.Log;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns agent arguments, system properties and environment variables into an {@link AgentConfig}.
 * A pure function of its inputs so the precedence rules are unit-testable without a JVM per case.
 *
 * <p>Precedence for every setting: agent argument, then {@code -Dcontinuo.*}, then {@code CONTINUO_*}.
 * The identity labels add OpenTelemetry's variables and the app's own metadata, as docs/agent.md says.
 */
public final class ConfigResolver {
    private final Map<String, String> agentArgs;
    private final Map<String, String> sysProps;
    private final Map<String, String> env;
    private final Supplier<AppInfo> appInfo;
    private final Supplier<String> hostName;

    /** What the app says about itself: manifest of the launched jar, or the main class. */
    public static final class AppInfo {
        final String title;
        final String version;
        final String mainClass;

        public AppInfo(String title, String version, String mainClass) {
            this.title = title;
            this.version = version;
            this.mainClass = mainClass;
        }
    }

    public ConfigResolver(String agentArgs, Map<String, String> sysProps, Map<String, String> env,
                          Supplier<AppInfo> appInfo, Supplier<String> hostName) {
        this.agentArgs = parseAgentArgs(agentArgs);
        this.sysProps = sysProps;
        this.env = env;
        this.appInfo = appInfo;
        this.hostName = hostName;
    }

    /** Cheap enough for premain: decides whether anything at all should start. */
    public boolean enabled() {
        String v = raw(Setting.ENABLED);
        return v == null || parseBool(Setting.ENABLED, v);
    }

    public AgentConfig resolve() {
        AgentConfig.Builder b = AgentConfig.builder();
        b.enabled(enabled());
        b.server(URI.create(stripSlash(str(Setting.SERVER))));
        Map<String, String> otelResource = parseOtelResource(env.get("OTEL_RESOURCE_ATTRIBUTES"));
        b.service(resolveService(otelResource));
        b.version(firstNonEmpty(agentArgs.get(Setting.VERSION.key()), otelResource.get("service.version"),
                sysProps.get(Setting.VERSION.systemProperty()), env.get(Setting.VERSION.envVar()),
                lazyAppVersion()));
        b.env(firstNonEmpty(agentArgs.get(Setting.ENV.key()), sysProps.get(Setting.ENV.systemProperty()),
                env.get(Setting.ENV.envVar()), otelResource.get("deployment.environment.name"),
                otelResource.get("deployment.environment")));
        String instance = raw(Setting.INSTANCE);
        if (isEmpty(instance)) instance = env.get("HOSTNAME");
        if (isEmpty(instance)) instance = hostName.get();
        b.instance(instance == null ? "" : instance);
        resolveLabels().forEach(b::label);
        b.apiKey(str(Setting.API_KEY));
        b.tenant(str(Setting.TENANT));
        b.uploadInterval(duration(Setting.UPLOAD_INTERVAL));
        b.cpu(bool(Setting.CPU));
        b.cpuInterval(duration(Setting.CPU_INTERVAL));
        b.engine(engine(str(Setting.ENGINE)));
        b.asyncProfilerPath(str(Setting.ASYNC_PROFILER_PATH));
        b.wall(bool(Setting.WALL));
        b.wallInterval(duration(Setting.WALL_INTERVAL));
        b.alloc(bool(Setting.ALLOC));
        b.leaks(bool(Setting.LEAKS));
        b.allocRate(integer(Setting.ALLOC_RATE));
        b.lock(bool(Setting.LOCK));
        b.lockThreshold(duration(Setting.LOCK_THRESHOLD));
        b.exceptions(bool(Setting.EXCEPTIONS));
        b.metrics(bool(Setting.METRICS));
        b.maxStackDepth(integer(Setting.MAX_STACK_DEPTH));
        b.adaptive(bool(Setting.ADAPTIVE));
        b.cpuBudget(decimal(Setting.CPU_BUDGET));
        b.maxEndpoints(integer(Setting.MAX_ENDPOINTS));
        b.queueCapacity(integer(Setting.QUEUE_CAPACITY));
        b.queueMaxBytes(longValue(Setting.QUEUE_MAX_BYTES));
        b.maxRetries(integer(Setting.MAX_RETRIES));
        b.backoffBase(duration(Setting.BACKOFF_BASE));
        b.backoffMax(duration(Setting.BACKOFF_MAX));
        b.timeout(duration(Setting.TIMEOUT));
        b.logLevel(logLevel(str(Setting.LOG_LEVEL)));
        return b.build();
    }

    private String resolveService(Map<String, String> otelResource) {
        String s = firstNonEmpty(agentArgs.get(Setting.SERVICE.key()), env.get("OTEL_SERVICE_NAME"),
                sysProps.get(Setting.SERVICE.systemProperty()), env.get(Setting.SERVICE.envVar()),
                otelResource.get("service.name"));
        if (!isEmpty(s)) return s;
        AppInfo info = appInfo.get();
        if (info != null) {
            if (!isEmpty(info.title)) return info.title;
            if (!isEmpty(info.mainClass)) return info.mainClass;
        }
        return "unknown";
    }

    private String lazyAppVersion() {
        AppInfo info = appInfo.get();
        return info == null ? null : info.version;
    }

    private Map<String, String> resolveLabels() {
        Map<String, String> out = new LinkedHashMap<>();
        // Lowest precedence first so later sources overwrite.
        parsePairs(env.get(Setting.LABELS.envVar()), ',', out);
        parsePairs(sysProps.get(Setting.LABELS.systemProperty()), ',', out);
        for (Map.Entry<String, String> e : sysProps.entrySet()) {
            if (e.getKey().startsWith("continuo.label.")) out.put(e.getKey().substring("continuo.label.".length()), e.getValue());
        }
        parsePairs(agentArgs.get(Setting.LABELS.key()), ';', out);
        for (Map.Entry<String, String> e : agentArgs.entrySet()) {
            if (e.getKey().startsWith("label.")) out.put(e.getKey().substring("label.".length()), e.getValue());
        }
        return out;
    }

    private static void parsePairs(String s, char sep, Map<String, String> out) {
        if (isEmpty(s)) return;
        for (String pair : s.split(sep == ',' ? "," : ";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                if (!pair.isBlank()) throw new IllegalArgumentException("labels: expected k=v, got '" + pair.trim() + "'");
                continue;
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
    }

    /** {@code a=1,b=2}: the first '=' splits key and value; keys are case-sensitive. */
    static Map<String, String> parseAgentArgs(String args) {
        Map<String, String> out = new HashMap<>();
        if (isEmpty(args)) return out;
        for (String part : args.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("agent arguments: expected name=value, got '" + part + "'");
            String key = part.substring(0, eq).trim();
            Setting s = Setting.byKey(key);
            out.put(s == null ? key : s.key(), part.substring(eq + 1).trim());
        }
        return out;
    }

    /** W3C baggage-like list used by OTEL_RESOURCE_ATTRIBUTES: {@code k=v,k2=v2}, values percent-encoded. */
    static Map<String, String> parseOtelResource(String s) {
        Map<String, String> out = new HashMap<>();
        if (isEmpty(s)) return out;
        for (String pair : s.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            String v = pair.substring(eq + 1).trim();
            try {
                v = java.net.URLDecoder.decode(v, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException ignored) {
                // Keep the raw value: a bad escape in someone else's variable is not our failure.
            }
            out.put(pair.substring(0, eq).trim(), v);
        }
        return out;
    }

    private String raw(Setting s) {
        String v = agentArgs.get(s.key());
        if (v == null) v = sysProps.get(s.systemProperty());
        if (v == null) v = env.get(s.envVar());
        return v == null ? null : v.trim();
    }

    private String str(Setting s) {
        String v = raw(s);
        return v == null ? s.defaultValue() : v;
    }

    private boolean bool(Setting s) { return parseBool(s, str(s)); }

    private static boolean parseBool(Setting s, String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1": return true;
            case "false": case "no": case "off": case "0": return false;
            default: throw new IllegalArgumentException(s.key() + ": expected true or false, got '" + v + "'");
        }
    }

    private int integer(Setting s) {
        long v = longValue(s);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw new IllegalArgumentException(s.key() + ": out of range: " + v);
        return (int) v;
    }

    private long longValue(Setting s) {
        String v = str(s);
        try {
            return Long.parseLong(v.endsWith("/s") ? v.substring(0, v.length() - 2) : v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s.key() + ": expected an integer, got '" + v + "'");
        }
    }

    private double decimal(Setting s) {
        String v = str(s);
        try {
            return v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s.key() + ": expected a number like 0.01 or 1%, got '" + v + "'");
        }
    }

    private static AgentConfig.Engine engine(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "jfr": return AgentConfig.Engine.JFR;
            case "async": case "async-profiler": return AgentConfig.Engine.ASYNC;
            default: throw new IllegalArgumentException("engine: expected jfr or async, got '" + v + "'");
        }
    }

    private Duration duration(Setting s) { return parseDuration(s.key(), str(s)); }

    /** {@code 250us}, {@code 10ms}, {@code 5s}, {@code 1m}, {@code 1h}; a unit is required. */
    public static Duration parseDuration(String name, String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
        if (i == 0 || i == t.length()) {
            throw new IllegalArgumentException(name + ": expected a duration like 10ms or 5s, got '" + v + "'");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a duration like 10ms or 5s, got '" + v + "'");
        }
        double nanosPerUnit;
        switch (t.substring(i).trim()) {
            case "ns": nanosPerUnit = 1; break;
            case "us": nanosPerUnit = 1e3; break;
            case "ms": nanosPerUnit = 1e6; break;
            case "s": nanosPerUnit = 1e9; break;
            case "m": case "min": nanosPerUnit = 60e9; break;
            case "h": nanosPerUnit = 3600e9; break;
            default: throw new IllegalArgumentException(name + ": unknown duration unit in '" + v + "' (ns, us, ms, s, m, h)");
        }
        return Duration.ofNanos(Math.round(n * nanosPerUnit));
    }

    private static Log.Level logLevel(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "quiet": case "off": case "warn": return Log.Level.QUIET;
            case "info": return Log.Level.INFO;
            case "debug": return Log.Level.DEBUG;
            default: throw new IllegalArgumentException("logLevel: expected quiet, info or debug, got '" + v + "'");
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (!isEmpty(v)) return v.trim();
        }
        return "";
    }

    private static boolean isEmpty(String s) { return s == null || s.isBlank(); }
}
