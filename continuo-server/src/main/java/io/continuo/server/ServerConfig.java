package io.continuo.server;

import io.continuo.model.LabelLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the server is told at start: an immutable value built by {@link Builder} and validated once in
 * {@link Builder#build()}, whose errors name the command-line flag that set the wrong value. Sizes are bytes,
 * times are {@link Duration}s; defaults are documented on each builder method and in {@code --help}.
 */
public final class ServerConfig {
    public static final String DEFAULT_TENANT = "default";
    public static final String SELF_SERVICE = "continuo-server";

    /** Storage engines. */
    public enum Engine {
        DUCKDB, CLICKHOUSE;

        /** @throws IllegalArgumentException naming {@code --storage} for anything but duckdb or clickhouse */
        public static Engine parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "duckdb" -> DUCKDB;
                case "clickhouse" -> CLICKHOUSE;
                default -> throw new IllegalArgumentException("--storage: must be duckdb or clickhouse, got '" + text + "'");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The storage engine and, for ClickHouse, where it is.
     *
     * @param engine             which engine
     * @param clickhouseUrl      base URL of ClickHouse's HTTP interface, or several separated by commas (failover)
     * @param clickhouseDatabase database holding Continuo's tables (created when missing)
     * @param clickhouseUser     ClickHouse user
     * @param clickhousePassword its password (never printed)
     * @param clickhouseCluster  cluster name from ClickHouse's remote_servers (Replicated + Distributed tables), or
     *                           null for a single ClickHouse server
     */
    public record Storage(Engine engine, String clickhouseUrl, String clickhouseDatabase, String clickhouseUser,
                          String clickhousePassword, String clickhouseCluster) {
        public static final Storage DEFAULT = new Storage(Engine.DUCKDB, "http://127.0.0.1:8123", "continuo", "default", "",
                null);

        public Storage {
            require(engine != null, "--storage: must be duckdb or clickhouse");
            require(clickhouseUrl != null && !clickhouseUrl.isBlank(), "--clickhouse-url: must not be empty");
            require(clickhouseDatabase != null && !clickhouseDatabase.isBlank(), "--clickhouse-database: must not be empty");
            require(clickhouseUser != null && !clickhouseUser.isBlank(), "--clickhouse-user: must not be empty");
            clickhousePassword = clickhousePassword == null ? "" : clickhousePassword;
            clickhouseCluster = clickhouseCluster == null || clickhouseCluster.isBlank() ? null
                    : clickhouseCluster.strip();
        }

        /** A single ClickHouse server (no cluster). */
        public Storage(Engine engine, String clickhouseUrl, String clickhouseDatabase, String clickhouseUser,
                       String clickhousePassword) {
            this(engine, clickhouseUrl, clickhouseDatabase, clickhouseUser, clickhousePassword, null);
        }

        public static Storage clickhouse(String url, String database, String user, String password) {
            return new Storage(Engine.CLICKHOUSE, url, database, user, password);
        }

        /** The same storage on the named cluster. */
        public Storage withCluster(String cluster) {
            return new Storage(engine, clickhouseUrl, clickhouseDatabase, clickhouseUser, clickhousePassword, cluster);
        }

        public boolean isClickHouse() {
            return engine == Engine.CLICKHOUSE;
        }

        @Override
        public String toString() {
            return isClickHouse() ? "clickhouse " + clickhouseUrl + (clickhouseCluster == null ? ""
                    : " cluster " + clickhouseCluster) + " database " + clickhouseDatabase + " user " + clickhouseUser
                    : "duckdb";
        }
    }

    private final String host;
    private final int port;
    private final Path dataDir;
    private final long maxBodyBytes;
    private final long maxDecompressedBytes;
    private final int maxStackDepth;
    private final LabelLimits labelLimits;
    private final Map<String, String> apiKeys;
    private final Duration defaultRetention;
    private final Map<String, Duration> retention;
    private final double ingestRatePerSecond;
    private final boolean selfProfile;
    private final Duration selfProfileInterval;
    private final long storeMemoryLimitBytes;
    private final Storage storage;
    private final boolean metricsPublic;
    private final Duration queryTimeout;
    private final long decodeBudgetBytes;
    private final Duration decodeWait;
    private final int maxConcurrentUploads;
    private final long minRequestDataRate;
    private final Duration idleTimeout;
    private final Duration headerTimeout;

    private ServerConfig(Builder b) {
        host = b.host;
        port = b.port;
        dataDir = b.dataDir;
        maxBodyBytes = b.maxBodyBytes;
        maxDecompressedBytes = b.maxDecompressedBytes;
        maxStackDepth = b.maxStackDepth;
        labelLimits = b.labelLimits;
        apiKeys = Map.copyOf(b.apiKeys);
        defaultRetention = b.defaultRetention;
        retention = Map.copyOf(b.retention);
        ingestRatePerSecond = b.ingestRatePerSecond;
        selfProfile = b.selfProfile;
        selfProfileInterval = b.selfProfileInterval;
        storeMemoryLimitBytes = b.storeMemoryLimitBytes;
        storage = b.storage;
        metricsPublic = b.metricsPublic;
        queryTimeout = b.queryTimeout;
        decodeBudgetBytes = b.decodeBudgetBytes > 0 ? b.decodeBudgetBytes : defaultDecodeBudget();
        decodeWait = b.decodeWait;
        maxConcurrentUploads = b.maxConcurrentUploads;
        minRequestDataRate = b.minRequestDataRate;
        idleTimeout = b.idleTimeout;
        headerTimeout = b.headerTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ServerConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Interface to bind (default 0.0.0.0; {@code --host}). */
    public String host() {
        return host;
    }

    /** HTTP port, 0 for any free one (default 4040; {@code --port}). */
    public int port() {
        return port;
    }

    /** Directory of the embedded store (default ./data; {@code --data-dir}). */
    public Path dataDir() {
        return dataDir;
    }

    /** Largest accepted request body, compressed (default 32 MiB; {@code --max-body-size}). */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Largest profile after decompression (default 256 MiB; {@code --max-decompressed-size}). */
    public long maxDecompressedBytes() {
        return maxDecompressedBytes;
    }

    /** Deepest accepted stack in frames (default 4096; {@code --max-stack-depth}). */
    public int maxStackDepth() {
        return maxStackDepth;
    }

    public LabelLimits labelLimits() {
        return labelLimits;
    }

    /** API key to tenant ("" means any tenant the request names); empty: no auth. */
    public Map<String, String> apiKeys() {
        return apiKeys;
    }

    /** How long profiles are kept unless {@link #retention()} names the type (default 30 days; {@code --retention}). */
    public Duration defaultRetention() {
        return defaultRetention;
    }

    /** Retention per profile type ({@code --retention-type}). */
    public Map<String, Duration> retention() {
        return retention;
    }

    /** Uploads per second per tenant before 429 (0 = unlimited; {@code --ingest-rate}). */
    public double ingestRatePerSecond() {
        return ingestRatePerSecond;
    }

    /** Whether the server profiles itself as {@code continuo-server} ({@code --no-self-profile} turns it off). */
    public boolean selfProfile() {
        return selfProfile;
    }

    /** How often the self-profile is cut and stored (default 10 s). */
    public Duration selfProfileInterval() {
        return selfProfileInterval;
    }

    /** DuckDB memory limit in bytes (default 1 GiB; {@code --memory-limit}). */
    public long storeMemoryLimitBytes() {
        return storeMemoryLimitBytes;
    }

    /** Which engine stores profiles (default embedded DuckDB; {@code --storage}). */
    public Storage storage() {
        return storage;
    }

    /** Whether {@code /metrics} is served without a key (default false; {@code --metrics-public}). */
    public boolean metricsPublic() {
        return metricsPublic;
    }

    /** After this a query's work stops and it answers 503 (default 30 s; {@code --query-timeout}). */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /**
     * Bytes that uploads may hold at once while they are read, decompressed and decoded, over all requests (default
     * half the JVM's max heap; {@code --decode-budget}); past it an upload waits {@link #decodeWait()}, then gets 503.
     */
    public long decodeBudgetBytes() {
        return decodeBudgetBytes;
    }

    /** How long an upload waits for decode budget or an upload slot before 503 (default 2 s; {@code --decode-wait}). */
    public Duration decodeWait() {
        return decodeWait;
    }

    /** Request bodies read at once, so slow uploads cannot hold every server thread (default 64; {@code --max-concurrent-uploads}). */
    public int maxConcurrentUploads() {
        return maxConcurrentUploads;
    }

    /** Bytes per second below which a request body is cut with 408 (default 1 KiB/s, 0 = off; {@code --min-request-rate}). */
    public long minRequestDataRate() {
        return minRequestDataRate;
    }

    /** A connection with no traffic for this long is closed (default 30 s; {@code --idle-timeout}). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A request whose headers are not complete within this is cut (default 10 s; {@code --header-timeout}). */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    public Duration retentionOf(String type) {
        return retention.getOrDefault(type, defaultRetention);
    }

    public ServerConfig withPort(int newPort) {
        return toBuilder().port(newPort).build();
    }

    public ServerConfig withDataDir(Path dir) {
        return toBuilder().dataDir(dir).build();
    }

    public ServerConfig withSelfProfile(boolean on) {
        return toBuilder().selfProfile(on).build();
    }

    public ServerConfig withLimits(long bodyBytes, long decompressedBytes) {
        return toBuilder().maxBodyBytes(bodyBytes).maxDecompressedBytes(decompressedBytes).build();
    }

    public ServerConfig withApiKeys(Map<String, String> keys) {
        return toBuilder().apiKeys(keys).build();
    }

    public ServerConfig withIngestRate(double perSecond) {
        return toBuilder().ingestRatePerSecond(perSecond).build();
    }

    public ServerConfig withRetention(Duration defaults, Map<String, Duration> perType) {
        return toBuilder().defaultRetention(defaults).retention(perType).build();
    }

    public ServerConfig withStorage(Storage newStorage) {
        return toBuilder().storage(newStorage).build();
    }

    @Override
    public String toString() {
        return "ServerConfig{host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", storage=" + storage
                + ", apiKeys=" + apiKeys.size() + " (not shown), queryTimeout=" + queryTimeout + "}";
    }

    private static long defaultDecodeBudget() {
        return Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 2);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Collects settings; {@link #build()} validates them all at once, naming the flag of a wrong one. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 4040;
        private Path dataDir = Path.of("data");
        private long maxBodyBytes = 32L << 20;
        private long maxDecompressedBytes = 256L << 20;
        private int maxStackDepth = 4096;
        private LabelLimits labelLimits = LabelLimits.DEFAULT;
        private Map<String, String> apiKeys = Map.of();
        private Duration defaultRetention = Duration.ofDays(30);
        private Map<String, Duration> retention = Map.of();
        private double ingestRatePerSecond;
        private boolean selfProfile = true;
        private Duration selfProfileInterval = Duration.ofSeconds(10);
        private long storeMemoryLimitBytes = 1L << 30;
        private Storage storage = Storage.DEFAULT;
        private boolean metricsPublic;
        private Duration queryTimeout = Duration.ofSeconds(30);
        private long decodeBudgetBytes;
        private Duration decodeWait = Duration.ofSeconds(2);
        private int maxConcurrentUploads = 64;
        private long minRequestDataRate = 1024;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration headerTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        private Builder(ServerConfig c) {
            host = c.host;
            port = c.port;
            dataDir = c.dataDir;
            maxBodyBytes = c.maxBodyBytes;
            maxDecompressedBytes = c.maxDecompressedBytes;
            maxStackDepth = c.maxStackDepth;
            labelLimits = c.labelLimits;
            apiKeys = c.apiKeys;
            defaultRetention = c.defaultRetention;
            retention = c.retention;
            ingestRatePerSecond = c.ingestRatePerSecond;
            selfProfile = c.selfProfile;
            selfProfileInterval = c.selfProfileInterval;
            storeMemoryLimitBytes = c.storeMemoryLimitBytes;
            storage = c.storage;
            metricsPublic = c.metricsPublic;
            queryTimeout = c.queryTimeout;
            decodeBudgetBytes = c.decodeBudgetBytes;
            decodeWait = c.decodeWait;
            maxConcurrentUploads = c.maxConcurrentUploads;
            minRequestDataRate = c.minRequestDataRate;
            idleTimeout = c.idleTimeout;
            headerTimeout = c.headerTimeout;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxDecompressedBytes(long v) {
            maxDecompressedBytes = v;
            return this;
        }

        public Builder maxStackDepth(int v) {
            maxStackDepth = v;
            return this;
        }

        public Builder labelLimits(LabelLimits v) {
            labelLimits = v;
            return this;
        }

        public Builder apiKeys(Map<String, String> v) {
            apiKeys = v;
            return this;
        }

        public Builder defaultRetention(Duration v) {
            defaultRetention = v;
            return this;
        }

        public Builder retention(Map<String, Duration> v) {
            retention = v;
            return this;
        }

        public Builder ingestRatePerSecond(double v) {
            ingestRatePerSecond = v;
            return this;
        }

        public Builder selfProfile(boolean v) {
            selfProfile = v;
            return this;
        }

        public Builder selfProfileInterval(Duration v) {
            selfProfileInterval = v;
            return this;
        }

        public Builder storeMemoryLimitBytes(long v) {
            storeMemoryLimitBytes = v;
            return this;
        }

        public Builder storage(Storage v) {
            storage = v;
            return this;
        }

        public Builder metricsPublic(boolean v) {
            metricsPublic = v;
            return this;
        }

        public Builder queryTimeout(Duration v) {
            queryTimeout = v;
            return this;
        }

        /** 0: half the JVM's max heap. */
        public Builder decodeBudgetBytes(long v) {
            decodeBudgetBytes = v;
            return this;
        }

        public Builder decodeWait(Duration v) {
            decodeWait = v;
            return this;
        }

        public Builder maxConcurrentUploads(int v) {
            maxConcurrentUploads = v;
            return this;
        }

        public Builder minRequestDataRate(long v) {
            minRequestDataRate = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder headerTimeout(Duration v) {
            headerTimeout = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the flag of the first wrong value */
        public ServerConfig build() {
            require(host != null && !host.isBlank(), "--host: must not be empty");
            require(port >= 0 && port <= 65535, "--port: must be 0..65535, got " + port);
            require(dataDir != null, "--data-dir: must be given");
            require(maxBodyBytes >= 1024, "--max-body-size: must be at least 1KB, got " + maxBodyBytes + " bytes");
            require(maxDecompressedBytes >= maxBodyBytes, "--max-decompressed-size: must be at least --max-body-size ("
                    + maxBodyBytes + " bytes), got " + maxDecompressedBytes + " bytes");
            require(maxStackDepth >= 16 && maxStackDepth <= 1_000_000, "--max-stack-depth: must be 16..1000000, got " + maxStackDepth);
            Objects.requireNonNull(labelLimits, "labelLimits");
            require(apiKeys != null, "--api-key: must not be null");
            apiKeys.forEach((k, t) -> require(k != null && !k.isBlank() && t != null, "--api-key: keys must not be empty"));
            require(positive(defaultRetention), "--retention: must be positive, got " + defaultRetention);
            require(retention != null, "--retention-type: must not be null");
            retention.forEach((type, d) -> require(positive(d), "--retention-type: " + type + " must be positive, got " + d));
            require(ingestRatePerSecond >= 0 && !Double.isNaN(ingestRatePerSecond), "--ingest-rate: must be >= 0, got " + ingestRatePerSecond);
            require(selfProfileInterval != null && selfProfileInterval.toMillis() >= 1000, "selfProfileInterval: must be at least 1s");
            require(storeMemoryLimitBytes >= 16L << 20, "--memory-limit: must be at least 16MB, got " + storeMemoryLimitBytes + " bytes");
            require(storage != null, "--storage: must be given");
            require(positive(queryTimeout), "--query-timeout: must be positive, got " + queryTimeout);
            require(decodeBudgetBytes >= 0, "--decode-budget: must not be negative, got " + decodeBudgetBytes);
            require(decodeWait != null && !decodeWait.isNegative(), "--decode-wait: must not be negative");
            require(maxConcurrentUploads >= 1 && maxConcurrentUploads <= 10_000, "--max-concurrent-uploads: must be 1..10000, got " + maxConcurrentUploads);
            require(minRequestDataRate >= 0, "--min-request-rate: must not be negative, got " + minRequestDataRate);
            require(positive(idleTimeout), "--idle-timeout: must be positive, got " + idleTimeout);
            require(positive(headerTimeout), "--header-timeout: must be positive, got " + headerTimeout);
            return new ServerConfig(this);
        }

        private static boolean positive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }
    }
}
