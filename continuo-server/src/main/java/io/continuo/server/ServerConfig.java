package io.continuo.server;

import io.continuo.model.LabelLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the server is told at start, validated once.
 *
 * @param host                   interface to bind (default 0.0.0.0)
 * @param port                   HTTP port (default 4040)
 * @param dataDir                directory of the embedded store (default ./data)
 * @param maxBodyBytes           largest accepted request body, compressed (default 32 MiB)
 * @param maxDecompressedBytes   largest profile after decompression (default 256 MiB)
 * @param maxStackDepth          deepest accepted stack in frames (default 4096)
 * @param labelLimits            label count and length bounds
 * @param apiKeys                API key to tenant ("" means any tenant the request names); empty map: no auth
 * @param defaultRetention       how long profiles are kept unless {@code retention} names the type (default 30 days)
 * @param retention              retention per profile type
 * @param ingestRatePerSecond    uploads per second per tenant before 429 (0 = unlimited)
 * @param selfProfile            whether the server profiles itself into its own store as {@code continuo-server}
 * @param selfProfileInterval    how often the self-profile is cut and stored (default 10 s)
 * @param storeMemoryLimit       DuckDB memory limit, e.g. "1GB"
 * @param storage                which engine stores profiles: embedded DuckDB in dataDir (default) or ClickHouse
 */
public record ServerConfig(String host, int port, Path dataDir, long maxBodyBytes, long maxDecompressedBytes,
                           int maxStackDepth, LabelLimits labelLimits, Map<String, String> apiKeys,
                           Duration defaultRetention, Map<String, Duration> retention, double ingestRatePerSecond,
                           boolean selfProfile, Duration selfProfileInterval, String storeMemoryLimit,
                           Storage storage) {

    /**
     * The storage engine and, for ClickHouse, where it is.
     *
     * @param engine             {@link #DUCKDB} or {@link #CLICKHOUSE}
     * @param clickhouseUrl      base URL of ClickHouse's HTTP interface, or several separated by commas (failover)
     * @param clickhouseDatabase database holding Continuo's tables (created when missing)
     * @param clickhouseUser     ClickHouse user
     * @param clickhousePassword its password (never printed)
     * @param clickhouseCluster  cluster name from ClickHouse's remote_servers (Replicated + Distributed tables), or
     *                           null for a single ClickHouse server
     */
    public record Storage(String engine, String clickhouseUrl, String clickhouseDatabase, String clickhouseUser,
                          String clickhousePassword, String clickhouseCluster) {
        public static final String DUCKDB = "duckdb";
        public static final String CLICKHOUSE = "clickhouse";
        public static final Storage DEFAULT = new Storage(DUCKDB, "http://127.0.0.1:8123", "continuo", "default", "",
                null);

        public Storage {
            require(DUCKDB.equals(engine) || CLICKHOUSE.equals(engine),
                    "storage must be duckdb or clickhouse, got '" + engine + "'");
            require(clickhouseUrl != null && !clickhouseUrl.isBlank(), "ClickHouse URL must not be empty");
            require(clickhouseDatabase != null && !clickhouseDatabase.isBlank(), "ClickHouse database must not be empty");
            require(clickhouseUser != null && !clickhouseUser.isBlank(), "ClickHouse user must not be empty");
            clickhousePassword = clickhousePassword == null ? "" : clickhousePassword;
            clickhouseCluster = clickhouseCluster == null || clickhouseCluster.isBlank() ? null
                    : clickhouseCluster.strip();
        }

        /** A single ClickHouse server (no cluster). */
        public Storage(String engine, String clickhouseUrl, String clickhouseDatabase, String clickhouseUser,
                       String clickhousePassword) {
            this(engine, clickhouseUrl, clickhouseDatabase, clickhouseUser, clickhousePassword, null);
        }

        public static Storage clickhouse(String url, String database, String user, String password) {
            return new Storage(CLICKHOUSE, url, database, user, password);
        }

        /** The same storage on the named cluster. */
        public Storage withCluster(String cluster) {
            return new Storage(engine, clickhouseUrl, clickhouseDatabase, clickhouseUser, clickhousePassword, cluster);
        }

        public boolean isClickHouse() {
            return CLICKHOUSE.equals(engine);
        }

        @Override
        public String toString() {
            return isClickHouse() ? "clickhouse " + clickhouseUrl + (clickhouseCluster == null ? ""
                    : " cluster " + clickhouseCluster) + " database " + clickhouseDatabase + " user " + clickhouseUser
                    : "duckdb";
        }
    }

    /** Embedded DuckDB storage, as before ClickHouse existed. */
    public ServerConfig(String host, int port, Path dataDir, long maxBodyBytes, long maxDecompressedBytes,
                        int maxStackDepth, LabelLimits labelLimits, Map<String, String> apiKeys,
                        Duration defaultRetention, Map<String, Duration> retention, double ingestRatePerSecond,
                        boolean selfProfile, Duration selfProfileInterval, String storeMemoryLimit) {
        this(host, port, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits, apiKeys,
                defaultRetention, retention, ingestRatePerSecond, selfProfile, selfProfileInterval, storeMemoryLimit,
                Storage.DEFAULT);
    }

    public static final String DEFAULT_TENANT = "default";
    public static final String SELF_SERVICE = "continuo-server";

    public ServerConfig {
        require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
        require(maxBodyBytes >= 1024, "maxBodyBytes must be at least 1024, got " + maxBodyBytes);
        require(maxDecompressedBytes >= maxBodyBytes, "maxDecompressedBytes must be at least maxBodyBytes");
        require(maxStackDepth >= 16 && maxStackDepth <= 1_000_000, "maxStackDepth must be 16..1000000, got " + maxStackDepth);
        require(!defaultRetention.isNegative() && !defaultRetention.isZero(), "retention must be positive");
        require(ingestRatePerSecond >= 0, "ingestRatePerSecond must be >= 0");
        require(selfProfileInterval.toMillis() >= 1000, "selfProfileInterval must be at least 1s");
        apiKeys = Map.copyOf(apiKeys);
        retention = Map.copyOf(retention);
        storage = storage == null ? Storage.DEFAULT : storage;
    }

    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", 4040, Path.of("data"), 32L << 20, 256L << 20, 4096, LabelLimits.DEFAULT,
                Map.of(), Duration.ofDays(30), Map.of(), 0, true, Duration.ofSeconds(10), "1GB");
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaultRetention, retention, ingestRatePerSecond, selfProfile, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(host, port, dir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaultRetention, retention, ingestRatePerSecond, selfProfile, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withSelfProfile(boolean on) {
        return new ServerConfig(host, port, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaultRetention, retention, ingestRatePerSecond, on, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withLimits(long bodyBytes, long decompressedBytes) {
        return new ServerConfig(host, port, dataDir, bodyBytes, decompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaultRetention, retention, ingestRatePerSecond, selfProfile, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withApiKeys(Map<String, String> keys) {
        return new ServerConfig(host, port, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                keys, defaultRetention, retention, ingestRatePerSecond, selfProfile, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withIngestRate(double perSecond) {
        return new ServerConfig(host, port, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaultRetention, retention, perSecond, selfProfile, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withRetention(Duration defaults, Map<String, Duration> perType) {
        return new ServerConfig(host, port, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaults, perType, ingestRatePerSecond, selfProfile, selfProfileInterval, storeMemoryLimit, storage);
    }

    public ServerConfig withStorage(Storage newStorage) {
        return new ServerConfig(host, port, dataDir, maxBodyBytes, maxDecompressedBytes, maxStackDepth, labelLimits,
                apiKeys, defaultRetention, retention, ingestRatePerSecond, selfProfile, selfProfileInterval,
                storeMemoryLimit, newStorage);
    }

    public Duration retentionOf(String type) {
        return retention.getOrDefault(type, defaultRetention);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
