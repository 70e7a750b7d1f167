package io.continuo.server;

import io.continuo.formats.DecodeLimits;
import io.continuo.server.http.Access;
import io.continuo.server.http.ApiKeys;
import io.continuo.server.http.HttpApp;
import io.continuo.server.http.QueryDeadlines;
import io.continuo.server.http.RouteTable;
import io.continuo.server.http.TimeParser;
import io.continuo.server.insights.InsightEngine;
import io.continuo.server.insights.InsightsApi;
import io.continuo.server.insights.InsightsConfig;
import io.continuo.server.ingest.IngestApi;
import io.continuo.server.ingest.IngestService;
import io.continuo.server.ingest.ProfileDecoder;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.server.metrics.StoreHealthReport;
import io.continuo.server.pyroscope.PyroscopeApi;
import io.continuo.server.query.PprofExporter;
import io.continuo.server.query.QueryApi;
import io.continuo.server.self.SelfProfiler;
import io.continuo.store.ProfileStore;
import io.continuo.store.StoreStats;
import io.continuo.store.clickhouse.ClickHouseConfig;
import io.continuo.store.clickhouse.ClickHouseProfileStore;
import io.continuo.store.duckdb.DuckDbConfig;
import io.continuo.store.duckdb.DuckDbProfileStore;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** Wires store, ingest, query, metrics and self-profiling into one running server. */
public final class ContinuoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuoServer.class);
    private static final long STATS_CACHE_MILLIS = 5_000;

    private final ServerConfig config;
    private final ProfileStore store;
    private final Javalin app;
    private final SelfProfiler selfProfiler;
    private final ServerMetrics metrics;
    private InsightEngine insights;
    private RouteTable routes;
    private QueryDeadlines deadlines;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<StoreStats> stats = new AtomicReference<>();
    private volatile long statsAt;

    private ContinuoServer(ServerConfig config, ProfileStore store, Javalin app, SelfProfiler selfProfiler, ServerMetrics metrics) {
        this.config = config;
        this.store = store;
        this.app = app;
        this.selfProfiler = selfProfiler;
        this.metrics = metrics;
    }

    public static ContinuoServer start(ServerConfig config) {
        ProfileStore store = openStore(config);
        try {
            return start(config, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The engine the config names: embedded DuckDB in the data directory, or ClickHouse over HTTP. */
    static ProfileStore openStore(ServerConfig config) {
        return config.storage().isClickHouse()
                ? ClickHouseProfileStore.open(clickHouseConfig(config))
                : DuckDbProfileStore.open(storeConfig(config));
    }

    static ClickHouseConfig clickHouseConfig(ServerConfig config) {
        ServerConfig.Storage s = config.storage();
        return ClickHouseConfig.builder(s.clickhouseUrl())
                .cluster(s.clickhouseCluster())
                .database(s.clickhouseDatabase())
                .user(s.clickhouseUser())
                .password(s.clickhousePassword())
                .defaultRetention(config.defaultRetention())
                .retentionByType(config.retention())
                .build();
    }

    static DuckDbConfig storeConfig(ServerConfig config) {
        return DuckDbConfig.builder(config.dataDir())
                .memoryLimitBytes(config.storeMemoryLimitBytes())
                .defaultRetention(config.defaultRetention())
                .retentionByType(config.retention())
                .build();
    }

    /** Starts with insight settings from the command line (rules file, webhooks, prices). */
    public static ContinuoServer start(ServerConfig config, InsightsConfig insightsConfig) {
        ProfileStore store = openStore(config);
        try {
            return start(config, store, insightsConfig);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public static ContinuoServer start(ServerConfig config, ProfileStore store) {
        return start(config, store, InsightsConfig.defaults());
    }

    public static ContinuoServer start(ServerConfig config, ProfileStore store, InsightsConfig insightsConfig) {
        ServerMetrics metrics = new ServerMetrics();
        TimeParser time = TimeParser.system();
        DecodeLimits limits = DecodeLimits.DEFAULT
                .withMaxDecompressedBytes(config.maxDecompressedBytes())
                .withMaxStackDepth(config.maxStackDepth())
                .withMaxLabelsPerSample(config.labelLimits().maxLabels());
        ProfileDecoder decoder = new ProfileDecoder(limits);
        IngestService ingest = new IngestService(store, config.labelLimits(), metrics);
        RouteTable routes = new RouteTable();
        QueryDeadlines deadlines = new QueryDeadlines(config.queryTimeout());
        InsightEngine engine = new InsightEngine(store, insightsConfig, time::nowMillis);
        ContinuoServer[] self = new ContinuoServer[1];
        Javalin app = HttpApp.create(config, metrics, routes, r -> {
            new IngestApi(config, decoder, ingest, store, time, metrics).register(r);
            new QueryApi(store, time, metrics, new PprofExporter(), deadlines).register(r);
            new PyroscopeApi(store, time, metrics, config).register(r);
            new InsightsApi(engine, time).withDeadlines(deadlines).register(r);
            // public: load balancers and supervisors ask it without a key; it names no tenant's data
            r.get("/healthz", ctx -> StoreHealthReport.healthz(ctx, store.health()), Access.PUBLIC);
            // with keys, a valid key sees its tenant's series (an unbound key every tenant's); --metrics-public lets
            // anyone scrape, and without a key the per-tenant series are left out
            if (config.metricsPublic()) {
                r.get("/metrics", ctx -> self[0].metrics(ctx), Access.PUBLIC);
            } else {
                r.get("/metrics", ctx -> self[0].metrics(ctx));
            }
        });
        SelfProfiler selfProfiler = config.selfProfile()
                ? new SelfProfiler(ingest, decoder, store, config.selfProfileInterval(), Version.current()) : null;
        ContinuoServer server = new ContinuoServer(config, store, app, selfProfiler, metrics);
        self[0] = server;
        server.deadlines = deadlines;
        server.insights = engine;
        server.routes = routes;
        server.registerGauges();
        app.start(config.host(), config.port());
        if (selfProfiler != null) {
            selfProfiler.start();
        }
        engine.start(ServerConfig.DEFAULT_TENANT, found -> { });
        LOG.info("Continuo {} listening on http://{}:{} with data in {}", Version.current(), config.host(),
                app.port(), config.storage().isClickHouse() ? config.storage() : config.dataDir().toAbsolutePath());
        return server;
    }

    private void registerGauges() {
        metrics.gauge("continuo_store_series", "Series in the store.", () -> stats().series());
        metrics.gauge("continuo_store_stacks", "Distinct stacks in the store.", () -> stats().stacks());
        metrics.gauge("continuo_store_sample_rows", "Raw (stack, value) rows in the store.", () -> stats().sampleRows());
        metrics.gauge("continuo_store_rollup_rows", "Rows in rollup tables.", () -> stats().rollupRows());
        metrics.gauge("continuo_store_bytes", "Bytes of the store on disk.", () -> stats().bytesOnDisk());
        metrics.gauge("continuo_jvm_heap_used_bytes", "Heap in use.",
                () -> java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Store figures are cached for a few seconds: scrapes must not load the database. */
    private StoreStats stats() {
        long now = System.currentTimeMillis();
        StoreStats s = stats.get();
        if (s == null || now - statsAt > STATS_CACHE_MILLIS) {
            s = store.stats();
            stats.set(s);
            statsAt = now;
        }
        return s;
    }

    private void metrics(io.javalin.http.Context ctx) {
        ctx.contentType("text/plain; version=0.0.4")
                .result(metrics.scrape(ApiKeys.scope(ctx, config)) + StoreHealthReport.metrics(store.health()));
    }

    /** Every endpoint the server registered (method, path, access), as Javalin reported them. */
    public RouteTable routes() {
        return routes;
    }

    public int port() {
        return app.port();
    }

    public ProfileStore store() {
        return store;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public InsightEngine insights() {
        return insights;
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (selfProfiler != null) {
            selfProfiler.close();
        }
        if (insights != null) {
            insights.close();
        }
        app.stop();
        if (deadlines != null) {
            deadlines.close();
        }
        store.close();
    }

    /** Parses sizes such as {@code 512MB}, {@code 1GiB}, {@code 32m}, {@code 1048576}; negative sizes are refused. */
    public static long parseSize(String text) {
        return ByteSize.parse("size", text);
    }
}
