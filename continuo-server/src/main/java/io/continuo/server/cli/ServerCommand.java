package io.continuo.server.cli;

import io.continuo.server.ContinuoServer;
import io.continuo.server.ServerConfig;
import io.continuo.server.http.TimeParser;
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
            Map<String, String> keys = new HashMap<>();
            for (String k : apiKeys) {
                int colon = k.indexOf(':');
                keys.put(colon < 0 ? k : k.substring(0, colon), colon < 0 ? "" : k.substring(colon + 1));
            }
            Map<String, Duration> perType = new HashMap<>();
            retentionByType.forEach((type, d) -> perType.put(type, Duration.ofMillis(TimeParser.parseDurationMillis("--retention-type", d, 0))));
            ServerConfig d = ServerConfig.defaults();
            config = new ServerConfig(host, port, dataDir, ContinuoServer.parseSize(maxBody), ContinuoServer.parseSize(maxDecompressed),
                    maxStackDepth, d.labelLimits(), keys, Duration.ofMillis(TimeParser.parseDurationMillis("--retention", retention, 0)),
                    perType, ingestRate, !noSelfProfile, d.selfProfileInterval(), memoryLimit,
                    new ServerConfig.Storage(storage, clickhouseUrl, clickhouseDatabase, clickhouseUser,
                            clickhousePassword != null ? clickhousePassword
                                    : System.getenv("CONTINUO_CLICKHOUSE_PASSWORD"), clickhouseCluster));
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
}
