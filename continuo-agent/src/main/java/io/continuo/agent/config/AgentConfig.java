package io.continuo.agent.config;

import io.continuo.agent.Log;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** The agent's resolved settings: immutable, validated once in {@link Builder#build()}. */
public final class AgentConfig {
    /** Labels the agent sets itself or the ingest URL already uses as parameters. */
    static final Set<String> RESERVED_LABELS = Set.of(
            "service", "version", "env", "instance", "thread", "span_id", "trace_id", "endpoint",
            "format", "from", "until", "name", "tenant");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.]{0,63}");

    /** The CPU engine: JFR's execution sampler, or async-profiler (opt-in, falls back to JFR). */
    public enum Engine {
        JFR("jfr"), ASYNC("async");

        public final String key;

        Engine(String key) { this.key = key; }
    }

    public final boolean enabled;
    public final URI server;
    public final String service;
    public final String version;
    public final String env;
    public final String instance;
    public final Map<String, String> labels;
    public final String apiKey;
    public final String tenant;
    public final Duration uploadInterval;
    public final boolean cpu;
    public final Duration cpuInterval;
    /** Who takes CPU samples; JFR always runs for the other families. */
    public final Engine engine;
    /** A user-supplied libasyncProfiler.so for {@link Engine#ASYNC}; empty for the bundled one. */
    public final String asyncProfilerPath;
    public final boolean wall;
    public final Duration wallInterval;
    public final boolean alloc;
    public final int allocRate;
    /** Leak sites: the JVM's old-object sampler's live samples, as an inuse_objects profile. */
    public final boolean leaks;
    public final boolean lock;
    public final Duration lockThreshold;
    public final boolean exceptions;
    public final boolean metrics;
    public final int maxStackDepth;
    public final boolean adaptive;
    public final double cpuBudget;
    public final int maxEndpoints;
    public final int queueCapacity;
    public final long queueMaxBytes;
    public final int maxRetries;
    public final Duration backoffBase;
    public final Duration backoffMax;
    public final Duration timeout;
    public final Log.Level logLevel;

    private AgentConfig(Builder b) {
        enabled = b.enabled;
        server = b.server;
        service = b.service;
        version = b.version;
        env = b.env;
        instance = b.instance;
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
        apiKey = b.apiKey;
        tenant = b.tenant;
        uploadInterval = b.uploadInterval;
        cpu = b.cpu;
        cpuInterval = b.cpuInterval;
        engine = b.engine;
        asyncProfilerPath = b.asyncProfilerPath;
        wall = b.wall;
        wallInterval = b.wallInterval;
        alloc = b.alloc;
        allocRate = b.allocRate;
        leaks = b.leaks;
        lock = b.lock;
        lockThreshold = b.lockThreshold;
        exceptions = b.exceptions;
        metrics = b.metrics;
        maxStackDepth = b.maxStackDepth;
        adaptive = b.adaptive;
        cpuBudget = b.cpuBudget;
        maxEndpoints = b.maxEndpoints;
        queueCapacity = b.queueCapacity;
        queueMaxBytes = b.queueMaxBytes;
        maxRetries = b.maxRetries;
        backoffBase = b.backoffBase;
        backoffMax = b.backoffMax;
        timeout = b.timeout;
        logLevel = b.logLevel;
    }

    public static Builder builder() { return new Builder(); }

    @Override
    public String toString() {
        return "server=" + server + " service=" + service + " version=" + version + " env=" + env
                + " instance=" + instance + " labels=" + labels + " uploadInterval=" + uploadInterval
                + " cpu=" + cpu + "/" + cpuInterval + " engine=" + engine.key + " wall=" + wall + " alloc=" + alloc + "/" + allocRate + " leaks=" + leaks
                + " lock=" + lock + "/" + lockThreshold + " exceptions=" + exceptions
                + " adaptive=" + adaptive + " cpuBudget=" + cpuBudget;
    }

    public static final class Builder {
        private boolean enabled = true;
        private URI server = URI.create("http://localhost:4040");
        private String service = "unknown";
        private String version = "";
        private String env = "";
        private String instance = "";
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String apiKey = "";
        private String tenant = "";
        private Duration uploadInterval = Duration.ofSeconds(10);
        private boolean cpu = true;
        private Duration cpuInterval = Duration.ofMillis(10);
        private Engine engine = Engine.JFR;
        private String asyncProfilerPath = "";
        private boolean wall;
        private Duration wallInterval = Duration.ofMillis(20);
        private boolean alloc = true;
        private int allocRate = 100;
        private boolean leaks = true;
        private boolean lock = true;
        private Duration lockThreshold = Duration.ofMillis(10);
        private boolean exceptions;
        private boolean metrics = true;
        private int maxStackDepth = 512;
        private boolean adaptive = true;
        private double cpuBudget = 0.01;
        private int maxEndpoints = 100;
        private int queueCapacity = 32;
        private long queueMaxBytes = 16L << 20;
        private int maxRetries = 3;
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofSeconds(10);
        private Log.Level logLevel = Log.Level.QUIET;

        private Builder() {}

        public Builder enabled(boolean v) { enabled = v; return this; }
        public Builder server(URI v) { server = v; return this; }
        public Builder service(String v) { service = v; return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder env(String v) { env = v; return this; }
        public Builder instance(String v) { instance = v; return this; }
        public Builder label(String k, String v) { labels.put(k, v); return this; }
        public Builder apiKey(String v) { apiKey = v; return this; }
        public Builder tenant(String v) { tenant = v; return this; }
        public Builder uploadInterval(Duration v) { uploadInterval = v; return this; }
        public Builder cpu(boolean v) { cpu = v; return this; }
        public Builder cpuInterval(Duration v) { cpuInterval = v; return this; }
        public Builder engine(Engine v) { engine = v; return this; }
        public Builder asyncProfilerPath(String v) { asyncProfilerPath = v == null ? "" : v.trim(); return this; }
        public Builder wall(boolean v) { wall = v; return this; }
        public Builder wallInterval(Duration v) { wallInterval = v; return this; }
        public Builder alloc(boolean v) { alloc = v; return this; }
        public Builder allocRate(int v) { allocRate = v; return this; }
        public Builder leaks(boolean v) { leaks = v; return this; }
        public Builder lock(boolean v) { lock = v; return this; }
        public Builder lockThreshold(Duration v) { lockThreshold = v; return this; }
        public Builder exceptions(boolean v) { exceptions = v; return this; }
        public Builder metrics(boolean v) { metrics = v; return this; }
        public Builder maxStackDepth(int v) { maxStackDepth = v; return this; }
        public Builder adaptive(boolean v) { adaptive = v; return this; }
        public Builder cpuBudget(double v) { cpuBudget = v; return this; }
        public Builder maxEndpoints(int v) { maxEndpoints = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder queueMaxBytes(long v) { queueMaxBytes = v; return this; }
        public Builder maxRetries(int v) { maxRetries = v; return this; }
        public Builder backoffBase(Duration v) { backoffBase = v; return this; }
        public Builder backoffMax(Duration v) { backoffMax = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder logLevel(Log.Level v) { logLevel = v; return this; }

        /** @throws IllegalArgumentException naming the setting and its allowed range */
        public AgentConfig build() {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(engine, "engine");
            String scheme = server.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || server.getHost() == null) {
                throw new IllegalArgumentException("server: must be an http:// or https:// URL with a host, was " + server);
            }
            require(service != null && !service.isBlank(), "service: must not be empty");
            requireRange("uploadInterval", uploadInterval, Duration.ofMillis(100), Duration.ofHours(1));
            requireRange("cpuInterval", cpuInterval, Duration.ofMillis(1), Duration.ofSeconds(10));
            requireRange("wallInterval", wallInterval, Duration.ofMillis(1), Duration.ofSeconds(10));
            requireRange("lockThreshold", lockThreshold, Duration.ZERO, Duration.ofSeconds(10));
            requireRange("backoffBase", backoffBase, Duration.ofMillis(1), Duration.ofHours(1));
            requireRange("backoffMax", backoffMax, backoffBase, Duration.ofHours(1));
            requireRange("timeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(10));
            require(allocRate >= 1 && allocRate <= 100_000, "allocRate: must be in [1, 100000] samples/s, was " + allocRate);
            require(maxStackDepth >= 1 && maxStackDepth <= 2048, "maxStackDepth: must be in [1, 2048], was " + maxStackDepth);
            require(cpuBudget > 0 && cpuBudget <= 1, "cpuBudget: must be in (0, 1], was " + cpuBudget);
            require(maxEndpoints >= 1 && maxEndpoints <= 100_000, "maxEndpoints: must be in [1, 100000], was " + maxEndpoints);
            require(queueCapacity >= 1 && queueCapacity <= 10_000, "queueCapacity: must be in [1, 10000], was " + queueCapacity);
            require(queueMaxBytes >= 1024, "queueMaxBytes: must be at least 1024, was " + queueMaxBytes);
            require(maxRetries >= 0 && maxRetries <= 100, "maxRetries: must be in [0, 100], was " + maxRetries);
            for (String k : labels.keySet()) {
                require(LABEL_NAME.matcher(k).matches(), "labels: invalid label name '" + k + "'");
                require(!RESERVED_LABELS.contains(k), "labels: '" + k + "' is reserved");
            }
            return new AgentConfig(this);
        }

        private static void require(boolean ok, String msg) {
            if (!ok) throw new IllegalArgumentException(msg);
        }

        private static void requireRange(String name, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + ": must be in [" + min + ", " + max + "], was " + d);
            }
        }
    }
}
