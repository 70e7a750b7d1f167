package io.continuo.store.duckdb;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the embedded DuckDB store, validated once. Build with {@link #builder(Path)}; every field has a default.
 *
 * @param dataDir             directory holding {@code continuo.duckdb} and its WAL; created when missing
 * @param memoryLimitBytes    DuckDB {@code memory_limit}; default 512 MiB, at least 64 MiB
 * @param threads             DuckDB {@code threads}; default min(2, cores), 1..256
 * @param defaultRetention    how long samples of a type without its own entry are kept; default 30 days, at least 1 hour
 * @param retentionByType     per profile type retention (metrics use the key {@code metrics}); at least 1 hour each
 * @param maxSeriesPerTenant  writes creating more series fail with StoreLimitException; default 100,000
 * @param rollupDelay         a minute is rolled up once the wall clock is this far past its end; default 1 minute
 * @param maintenanceInterval how often the writer thread rolls up and applies retention when idle; default 30 s
 * @param maxGroupCommit      most uploads committed in one transaction; default 64
 * @param commitTimeout       the longest a write waits for room in the queue and its commit together before it is
 *                            answered "unavailable" (503 with Retry-After); default 15 s
 * @param clock               the wall clock for retention and rollups (tests inject one)
 */
public record DuckDbConfig(Path dataDir, long memoryLimitBytes, int threads, Duration defaultRetention,
                           Map<String, Duration> retentionByType, int maxSeriesPerTenant, Duration rollupDelay,
                           Duration maintenanceInterval, int maxGroupCommit, Duration commitTimeout,
                           Clock clock) {

    public static final String DATABASE_FILE = "continuo.duckdb";
    public static final String METRICS_RETENTION_KEY = "metrics";
    private static final long MIN_MEMORY = 64L << 20;

    public DuckDbConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        if (memoryLimitBytes < MIN_MEMORY) {
            throw new IllegalArgumentException("memoryLimitBytes must be at least 64 MiB, got " + memoryLimitBytes);
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be in 1..256, got " + threads);
        }
        requireAtLeastAnHour("defaultRetention", defaultRetention);
        retentionByType = Map.copyOf(retentionByType);
        retentionByType.forEach((type, d) -> requireAtLeastAnHour("retentionByType[" + type + "]", d));
        if (maxSeriesPerTenant < 1) {
            throw new IllegalArgumentException("maxSeriesPerTenant must be at least 1, got " + maxSeriesPerTenant);
        }
        if (rollupDelay == null || rollupDelay.isNegative()) {
            throw new IllegalArgumentException("rollupDelay must be zero or positive, got " + rollupDelay);
        }
        if (maintenanceInterval == null || maintenanceInterval.toMillis() < 10) {
            throw new IllegalArgumentException("maintenanceInterval must be at least 10 ms, got " + maintenanceInterval);
        }
        if (maxGroupCommit < 1 || maxGroupCommit > 10_000) {
            throw new IllegalArgumentException("maxGroupCommit must be in 1..10000, got " + maxGroupCommit);
        }
        if (commitTimeout == null || commitTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("commitTimeout must be at least 1 ms, got " + commitTimeout);
        }
    }

    private static void requireAtLeastAnHour(String field, Duration d) {
        if (d == null || d.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException(field + " must be at least 1 hour, got " + d);
        }
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    public static DuckDbConfig defaults(Path dataDir) {
        return builder(dataDir).build();
    }

    /** Retention of one profile type (or {@link #METRICS_RETENTION_KEY}). */
    public Duration retention(String type) {
        return retentionByType.getOrDefault(type, defaultRetention);
    }

    Path databaseFile() {
        return dataDir.resolve(DATABASE_FILE);
    }

    public static final class Builder {
        private final Path dataDir;
        private long memoryLimitBytes = 512L << 20;
        private int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private Duration defaultRetention = Duration.ofDays(30);
        private Map<String, Duration> retentionByType = Map.of();
        private int maxSeriesPerTenant = 100_000;
        private Duration rollupDelay = Duration.ofMinutes(1);
        private Duration maintenanceInterval = Duration.ofSeconds(30);
        private int maxGroupCommit = 64;
        private Duration commitTimeout = Duration.ofSeconds(15);
        private Clock clock = Clock.systemUTC();

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder memoryLimitBytes(long bytes) {
            this.memoryLimitBytes = bytes;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder defaultRetention(Duration retention) {
            this.defaultRetention = retention;
            return this;
        }

        public Builder retentionByType(Map<String, Duration> retentionByType) {
            this.retentionByType = retentionByType;
            return this;
        }

        public Builder maxSeriesPerTenant(int max) {
            this.maxSeriesPerTenant = max;
            return this;
        }

        public Builder rollupDelay(Duration delay) {
            this.rollupDelay = delay;
            return this;
        }

        public Builder maintenanceInterval(Duration interval) {
            this.maintenanceInterval = interval;
            return this;
        }

        public Builder maxGroupCommit(int max) {
            this.maxGroupCommit = max;
            return this;
        }

        public Builder commitTimeout(Duration timeout) {
            this.commitTimeout = timeout;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public DuckDbConfig build() {
            return new DuckDbConfig(dataDir, memoryLimitBytes, threads, defaultRetention, retentionByType,
                    maxSeriesPerTenant, rollupDelay, maintenanceInterval, maxGroupCommit, commitTimeout, clock);
        }
    }
}
