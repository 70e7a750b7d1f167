package io.continuo.server.cli;

import io.continuo.server.ByteSize;
import io.continuo.server.ConfigDurations;
import io.continuo.server.ContinuoServer;
import io.continuo.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the Continuo server (embedded DuckDB storage, or ClickHouse with --storage clickhouse).")
final class ServerCommand implements Runnable {
    @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}).", defaultValue = "4040")
    int port;

    @Option(names = "--host", description = "Interface to bind (default: ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0")
    String host;

    @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "./data")
    Path dataDir;

    @Option(names = "--max-body-size", description = "Largest request body (default: ${DEFAULT-VALUE}).", defaultValue = "32MB")
    String maxBody;

    @Option(names = "--max-decompressed-size", description = "Largest profile after decompression (default: ${DEFAULT-VALUE}).", defaultValue = "256MB")
    String maxDecompressed;

    @Option(names = "--max-stack-depth", description = "Deepest accepted stack (default: ${DEFAULT-VALUE}).", defaultValue = "4096")
    int maxStackDepth;

    @Option(names = "--api-key", description = "Require this API key (repeatable); KEY:TENANT binds the key to a tenant.")
    List<String> apiKeys = List.of();

    @Option(names = "--api-keys-file", description = "Read API keys from this file: one KEY[:TENANT] a line, # comments (also env CONTINUO_API_KEYS, comma-separated).")
    Path apiKeysFile;

    @Option(names = "--metrics-public", description = "Serve /metrics without an API key (per-tenant series are then left out).")
    boolean metricsPublic;

    @Option(names = "--query-timeout", description = "Stop a query's work and answer 503 after this long (default: ${DEFAULT-VALUE}).", defaultValue = "30s")
    String queryTimeout;

    @Option(names = "--decode-budget", description = "Bytes all uploads may hold at once while read and decoded; past it they wait --decode-wait, then 503 (default: half the max heap).")
    String decodeBudget;

    @Option(names = "--decode-wait", description = "How long an upload waits for decode budget or an upload slot before 503 (default: ${DEFAULT-VALUE}).", defaultValue = "2s")
    String decodeWait;

    @Option(names = "--max-concurrent-uploads", description = "Request bodies read at once; more wait --decode-wait, then 503 (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int maxConcurrentUploads;

    @Option(names = "--min-request-rate", description = "Bytes per second below which a request body is cut with 408; 0 = off (default: ${DEFAULT-VALUE}).", defaultValue = "1KB")
    String minRequestRate;

    @Option(names = "--idle-timeout", description = "Close a connection idle this long (default: ${DEFAULT-VALUE}).", defaultValue = "30s")
    String idleTimeout;

    @Option(names = "--header-timeout", description = "Cut a request whose headers take longer than this (default: ${DEFAULT-VALUE}).", defaultValue = "10s")
    String headerTimeout;

    @Option(names = "--retention", description = "Default retention (default: ${DEFAULT-VALUE}).", defaultValue = "30d")
    String retention;

    @Option(names = "--retention-type", description = "Retention of one profile type, e.g. cpu=7d (repeatable).")
    Map<String, String> retentionByType = Map.of();

    @Option(names = "--ingest-rate", description = "Uploads per second per tenant before 429; 0 = unlimited (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    double ingestRate;

    @Option(names = "--memory-limit", description = "Embedded store memory limit (default: ${DEFAULT-VALUE}).", defaultValue = "1GB")
    String memoryLimit;

    @Option(names = "--storage", description = "Storage engine: duckdb (embedded, in --data-dir) or clickhouse (default: ${DEFAULT-VALUE}).", defaultValue = "duckdb")
    String storage;

    @Option(names = "--clickhouse-url", description = "ClickHouse HTTP interface; several separated by commas are used with failover (default: ${DEFAULT-VALUE}).", defaultValue = "http://127.0.0.1:8123")
    String clickhouseUrl;

    @Option(names = "--clickhouse-cluster", description = "ClickHouse cluster name (remote_servers): schema ON CLUSTER as Replicated tables behind Distributed ones; list every node in --clickhouse-url. Without it, a single ClickHouse server.")
    String clickhouseCluster;

    @Option(names = "--clickhouse-database", description = "ClickHouse database, created when missing (default: ${DEFAULT-VALUE}).", defaultValue = "continuo")
    String clickhouseDatabase;

    @Option(names = "--clickhouse-user", description = "ClickHouse user (default: ${DEFAULT-VALUE}).", defaultValue = "default")
    String clickhouseUser;

    @Option(names = "--clickhouse-password", description = "ClickHouse password (default: env CONTINUO_CLICKHOUSE_PASSWORD, else empty).")
    String clickhousePassword;

    @Option(names = "--no-self-profile", description = "Do not profile the server itself.")
    boolean noSelfProfile;

    @Option(names = "--alert-rules", description = "JSON file of alert rules and webhooks (docs/insights.md).")
    Path alertRules;

    @Option(names = "--alert-webhook", description = "POST alert notifications to this URL (repeatable).")
    List<String> alertWebhooks = List.of();

    @Option(names = "--price-core-hour", description = "Dollars per CPU core-hour for cost reports (default: ${DEFAULT-VALUE}).", defaultValue = "0.04")
    double pricePerCoreHour;

    @Option(names = "--price-gb-hour", description = "Dollars per GB-hour of memory for cost reports (default: ${DEFAULT-VALUE}).", defaultValue = "0.005")
    double pricePerGbHour;

    @Option(names = "--no-insights", description = "Do not run the insight detectors in the background.")
    boolean noInsights;

    @Override
    public void run() {
        ServerConfig config;
        io.continuo.server.insights.InsightsConfig insights;
        try {
            config = config();
            insights = io.continuo.server.insights.InsightsConfig.defaults().withEnabled(!noInsights)
                    .withPrices(pricePerCoreHour, pricePerGbHour)
                    .withAlerting(alertRules, alertWebhooks, dataDir.resolve("alert-rules.json"));
        } catch (RuntimeException e) {
            throw new CliException(Main.EXIT_USAGE, e.getMessage());
        }
        ContinuoServer server = ContinuoServer.start(config, insights);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "continuo-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The flags as a validated config; an IllegalArgumentException names the wrong flag. */
    ServerConfig config() {
        Map<String, Duration> perType = new HashMap<>();
        retentionByType.forEach((type, d) -> perType.put(type, ConfigDurations.parse("--retention-type " + type, d)));
        return ServerConfig.builder()
                .host(host)
                .port(port)
                .dataDir(dataDir)
                .maxBodyBytes(ByteSize.parse("--max-body-size", maxBody))
                .maxDecompressedBytes(ByteSize.parse("--max-decompressed-size", maxDecompressed))
                .maxStackDepth(maxStackDepth)
                .apiKeys(ApiKeySources.collect(apiKeys, apiKeysFile, System.getenv(ApiKeySources.ENV)))
                .defaultRetention(ConfigDurations.parse("--retention", retention))
                .retention(perType)
                .ingestRatePerSecond(ingestRate)
                .selfProfile(!noSelfProfile)
                .storeMemoryLimitBytes(ByteSize.parse("--memory-limit", memoryLimit))
                .storage(new ServerConfig.Storage(ServerConfig.Engine.parse(storage), clickhouseUrl, clickhouseDatabase,
                        clickhouseUser, clickhousePassword != null ? clickhousePassword
                        : System.getenv("CONTINUO_CLICKHOUSE_PASSWORD"), clickhouseCluster))
                .metricsPublic(metricsPublic)
                .queryTimeout(ConfigDurations.parse("--query-timeout", queryTimeout))
                .decodeBudgetBytes(decodeBudget == null ? 0 : ByteSize.parse("--decode-budget", decodeBudget))
                .decodeWait(ConfigDurations.parse("--decode-wait", decodeWait))
                .maxConcurrentUploads(maxConcurrentUploads)
                .minRequestDataRate(ByteSize.parse("--min-request-rate", minRequestRate))
                .idleTimeout(ConfigDurations.parse("--idle-timeout", idleTimeout))
                .headerTimeout(ConfigDurations.parse("--header-timeout", headerTimeout))
                .build();
    }
}
