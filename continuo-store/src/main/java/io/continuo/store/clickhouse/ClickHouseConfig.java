package io.continuo.store.clickhouse;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the ClickHouse store, validated once. Build with {@link #builder(String)}; every field but the URL has a
 * default. Retention, series limit and group commit mean what they mean for the DuckDB engine.
 *
 * @param url                 base URL of ClickHouse's HTTP interface, e.g. {@code http://127.0.0.1:8123}: the first of
 *                            {@code urls}
 * @param urls                every endpoint to use, in order of preference; a dead one is skipped for a while and
 *                            retried later ({@link Endpoints})
 * @param cluster             name of a cluster in ClickHouse's {@code remote_servers}: the schema is then created
 *                            {@code ON CLUSTER} as Replicated tables behind Distributed ones ({@link ClusterSchema});
 *                            null: one ClickHouse server, plain MergeTree tables
 * @param database            database holding Continuo's tables (created when missing); default {@code continuo}
 * @param user                ClickHouse user; default {@code default}
 * @param password            its password; default empty
 * @param connectTimeout      TCP connect timeout; default 5 s
 * @param queryTimeout        longest a request may take (also sent as {@code max_execution_time}); default 60 s
 * @param maxResponseBytes    largest response read from ClickHouse; bigger answers fail; default 256 MiB
 * @param maxQueryBytes       largest SQL text (series id lists can be long); default 64 MiB
 * @param defaultRetention    how long samples of a type without its own entry are kept; default 30 days, at least 1 h
 * @param retentionByType     per profile type retention (metrics use the key {@code metrics}); at least 1 hour each
 * @param maxSeriesPerTenant  writes creating more series fail with StoreLimitException; default 100,000. Each server
 *                            checks against the database, so concurrent servers may overshoot by a batch each
 * @param maintenanceInterval how often retention runs; default 10 minutes
 * @param maxGroupCommit      most uploads sent in one INSERT per table; default 64
 * @param maxCachedStacks     stacks kept in memory to resolve flame graphs without a lookup (about 80 bytes each); default 1,000,000
 * @param clock               the wall clock for retention (tests inject one)
 */
public record ClickHouseConfig(URI url, List<URI> urls, String cluster, String database, String user, String password, Duration connectTimeout,
                               Duration queryTimeout, long maxResponseBytes, int maxQueryBytes,
                               Duration defaultRetention, Map<String, Duration> retentionByType,
                               int maxSeriesPerTenant, Duration maintenanceInterval, int maxGroupCommit,
                               int maxCachedStacks, Clock clock) {

    public static final String METRICS_RETENTION_KEY = "metrics";
    public static final String DEFAULT_DATABASE = "continuo";

    public ClickHouseConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(clock, "clock");
        urls = urls == null || urls.isEmpty() ? List.of(url) : List.copyOf(urls);
        if (!urls.get(0).equals(url)) {
            throw new IllegalArgumentException("url must be the first of urls, got " + url + " and " + urls);
        }
        for (URI u : urls) {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("ClickHouse URL must be http(s)://host:port, got " + u);
            }
        }
        if (cluster != null) {
            SqlLiterals.identifier(cluster);
        }
        SqlLiterals.identifier(database);
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("queryTimeout", queryTimeout);
        if (queryTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("queryTimeout must be at least 1 s, got " + queryTimeout);
        }
        if (maxResponseBytes < 1024) {
            throw new IllegalArgumentException("maxResponseBytes must be at least 1024, got " + maxResponseBytes);
        }
        if (maxQueryBytes < 256 * 1024) {
            throw new IllegalArgumentException("maxQueryBytes must be at least 256 KiB, got " + maxQueryBytes);
        }
        requireAtLeastAnHour("defaultRetention", defaultRetention);
        retentionByType = Map.copyOf(retentionByType);
        retentionByType.forEach((type, d) -> requireAtLeastAnHour("retentionByType[" + type + "]", d));
        if (maxSeriesPerTenant < 1) {
            throw new IllegalArgumentException("maxSeriesPerTenant must be at least 1, got " + maxSeriesPerTenant);
        }
        if (maintenanceInterval == null || maintenanceInterval.toMillis() < 10) {
            throw new IllegalArgumentException("maintenanceInterval must be at least 10 ms, got " + maintenanceInterval);
        }
        if (maxGroupCommit < 1 || maxGroupCommit > 10_000) {
            throw new IllegalArgumentException("maxGroupCommit must be in 1..10000, got " + maxGroupCommit);
        }
        if (maxCachedStacks < 1024) {
            throw new IllegalArgumentException("maxCachedStacks must be at least 1024, got " + maxCachedStacks);
        }
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + d);
        }
    }

    private static void requireAtLeastAnHour(String field, Duration d) {
        if (d == null || d.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException(field + " must be at least 1 hour, got " + d);
        }
    }

    /** @param url base URL of ClickHouse's HTTP interface, e.g. {@code http://127.0.0.1:8123} */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** True when the schema lives on a cluster (Replicated + Distributed tables). */
    public boolean clustered() {
        return cluster != null;
    }

    /** Retention of one profile type (or {@link #METRICS_RETENTION_KEY}). */
    public Duration retention(String type) {
        return retentionByType.getOrDefault(type, defaultRetention);
    }

    @Override
    public String toString() {
        // Never print the password.
        return "ClickHouseConfig[urls=" + urls + (cluster == null ? "" : ", cluster=" + cluster) + ", database=" + database + ", user=" + user + "]";
    }

    public static final class Builder {
        private final String url;
        private String cluster;
        private String database = DEFAULT_DATABASE;
        private String user = "default";
        private String password = "";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration queryTimeout = Duration.ofSeconds(60);
        private long maxResponseBytes = 256L << 20;
        private int maxQueryBytes = 64 << 20;
        private Duration defaultRetention = Duration.ofDays(30);
        private Map<String, Duration> retentionByType = Map.of();
        private int maxSeriesPerTenant = 100_000;
        private Duration maintenanceInterval = Duration.ofMinutes(10);
        private int maxGroupCommit = 64;
        private int maxCachedStacks = 1_000_000;
        private Clock clock = Clock.systemUTC();

        /** @param url one endpoint, or several separated by commas */
        private Builder(String url) {
            this.url = url;
        }

        /** A cluster name from ClickHouse's remote_servers; null or blank: a single server. */
        public Builder cluster(String cluster) {
            this.cluster = cluster == null || cluster.isBlank() ? null : cluster.strip();
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder queryTimeout(Duration timeout) {
            this.queryTimeout = timeout;
            return this;
        }

        public Builder maxResponseBytes(long bytes) {
            this.maxResponseBytes = bytes;
            return this;
        }

        public Builder maxQueryBytes(int bytes) {
            this.maxQueryBytes = bytes;
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

        public Builder maintenanceInterval(Duration interval) {
            this.maintenanceInterval = interval;
            return this;
        }

        public Builder maxGroupCommit(int max) {
            this.maxGroupCommit = max;
            return this;
        }

        public Builder maxCachedStacks(int max) {
            this.maxCachedStacks = max;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public ClickHouseConfig build() {
            List<URI> uris = new ArrayList<>();
            for (String one : Objects.requireNonNull(url, "url").split(",")) {
                String u = one.strip();
                if (u.isEmpty()) {
                    throw new IllegalArgumentException("invalid ClickHouse URL list '" + url + "': empty entry");
                }
                try {
                    URI uri = URI.create(u.endsWith("/") ? u : u + "/");
                    if (uris.contains(uri)) {
                        throw new IllegalArgumentException("invalid ClickHouse URL list '" + url + "': " + u
                                + " appears twice");
                    }
                    uris.add(uri);
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().startsWith("invalid ClickHouse URL list")) {
                        throw e;
                    }
                    throw new IllegalArgumentException("invalid ClickHouse URL '" + u + "': " + e.getMessage(), e);
                }
            }
            return new ClickHouseConfig(uris.get(0), uris, cluster, database, user, password, connectTimeout, queryTimeout, maxResponseBytes,
                    maxQueryBytes, defaultRetention, retentionByType, maxSeriesPerTenant, maintenanceInterval,
                    maxGroupCommit, maxCachedStacks, clock);
        }
    }
}
