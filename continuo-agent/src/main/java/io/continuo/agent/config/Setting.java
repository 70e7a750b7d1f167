package io.continuo.agent.config;

import java.util.Locale;

/**
 * Every setting the agent reads. Each one can be given as an agent argument ({@code name=value}),
 * a system property ({@code -Dcontinuo.name=value}) or an environment variable
 * ({@code CONTINUO_NAME}); that is also the order of precedence. docs/agent.md mirrors this list.
 */
public enum Setting {
    ENABLED("enabled", "true", "Kill switch: false disables the agent entirely (no JFR, no threads, no uploads)."),
    SERVER("server", "http://localhost:4040", "Continuo server base URL (http or https)."),
    SERVICE("service", null, "Service name; see resolution order in docs."),
    VERSION("version", null, "Service version."),
    ENV("env", null, "Deployment environment."),
    INSTANCE("instance", null, "Instance name: HOSTNAME (pod name) or the host name."),
    LABELS("labels", "", "Static labels k=v,k2=v2 (in agent arguments separate pairs with ';')."),
    API_KEY("apiKey", "", "Sent as Authorization: Bearer <key>."),
    TENANT("tenant", "", "Sent as X-Scope-OrgID."),
    UPLOAD_INTERVAL("uploadInterval", "10s", "How often profiles and metrics are uploaded."),
    CPU("cpu", "true", "CPU profiling (jdk.ExecutionSample)."),
    ENGINE("engine", "jfr", "CPU engine: jfr, or async (async-profiler, falls back to jfr when it cannot load or start)."),
    ASYNC_PROFILER_PATH("asyncProfilerPath", "", "libasyncProfiler.so to use with engine=async instead of the bundled one."),
    CPU_INTERVAL("cpuInterval", "10ms", "Base CPU sampling period; adaptive sampling moves it."),
    WALL("wall", "false", "Wall-clock profiling (Java + native method samples)."),
    WALL_INTERVAL("wallInterval", "20ms", "Sampling period of native method samples for wall profiles."),
    ALLOC("alloc", "true", "Allocation profiling (jdk.ObjectAllocationSample)."),
    LEAKS("leaks", "true", "Leak sites: live sampled objects by allocation site (jdk.OldObjectSample), as inuse_objects."),
    ALLOC_RATE("allocRate", "100", "Base allocation samples per second (JFR throttle); adaptive sampling moves it."),
    LOCK("lock", "true", "Lock contention profiling (jdk.JavaMonitorEnter; jdk.ThreadPark on locks, not idle waits)."),
    LOCK_THRESHOLD("lockThreshold", "10ms", "Base minimum blocking time recorded; adaptive sampling moves it."),
    EXCEPTIONS("exceptions", "false", "Exception profiling (jdk.JavaExceptionThrow)."),
    METRICS("metrics", "true", "Runtime metrics upload."),
    MAX_STACK_DEPTH("maxStackDepth", "512", "Frames kept per stack (JFR's own depth is raised to match); deeper stacks end in a [truncated] frame."),
    ADAPTIVE("adaptive", "true", "Adjust sampling rates to stay within cpuBudget."),
    CPU_BUDGET("cpuBudget", "0.01", "Agent CPU time as a fraction of process CPU time."),
    MAX_ENDPOINTS("maxEndpoints", "100", "Distinct endpoint label values per interval; the rest become 'other'."),
    QUEUE_CAPACITY("queueCapacity", "32", "Uploads waiting to be sent; the oldest is dropped when full."),
    QUEUE_MAX_BYTES("queueMaxBytes", "16777216", "Bytes of uploads waiting to be sent; the oldest is dropped when over."),
    MAX_RETRIES("maxRetries", "3", "Retries of one upload after 429/502/503/504 or an I/O error."),
    BACKOFF_BASE("backoffBase", "1s", "First retry delay bound (full jitter)."),
    BACKOFF_MAX("backoffMax", "30s", "Cap of the retry delay bound."),
    TIMEOUT("timeout", "10s", "Connect and read timeout of one upload."),
    LOG_LEVEL("logLevel", "quiet", "quiet, info or debug (all on stderr, prefixed [continuo]).");

    private final String key;
    private final String defaultValue;
    private final String doc;

    Setting(String key, String defaultValue, String doc) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.doc = doc;
    }

    public String key() { return key; }

    /** Null where the default is derived from the environment (service, version, env, instance). */
    public String defaultValue() { return defaultValue; }

    public String doc() { return doc; }

    public String systemProperty() { return "continuo." + key; }

    public String envVar() {
        StringBuilder sb = new StringBuilder("CONTINUO_");
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) sb.append('_');
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    public static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equalsIgnoreCase(key)) return s;
        }
        return null;
    }
}
