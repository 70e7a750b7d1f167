package io.continuo.store.clickhouse;

import io.continuo.model.FlameTree;
import io.continuo.model.Labels;
import io.continuo.model.ProfileType;
import io.continuo.model.Selector;
import io.continuo.store.MetricPoint;
import io.continuo.store.MetricQuery;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.RangeSplit;
import io.continuo.store.SeriesFilter;
import io.continuo.store.SeriesListing;
import io.continuo.store.Steps;
import io.continuo.store.StoreException;
import io.continuo.store.StoreStats;
import io.continuo.store.TimeSeries;
import io.continuo.store.TraceQuery;
import io.continuo.store.TraceSummary;
import io.continuo.store.TypeInfo;
import io.continuo.store.TypesByLabel;
import io.continuo.store.Validation;
import io.continuo.store.WriteBatch;
import io.continuo.store.clickhouse.SeriesIndex.Series;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The scale-out store: Continuo's logical schema in ClickHouse ({@link ClickHouseSchema}), spoken to over its HTTP
 * interface. The server holds no state ClickHouse does not have: series are looked up per query, stacks and frames
 * are cached by content hash (immutable, so never stale), and rollups are materialized views filled by the same
 * INSERT as the raw rows. So any number of servers can write and read one database without coordinating. Semantics
 * follow the DuckDB engine; see docs/storage.md for the differences (durability is ClickHouse's acknowledgement).
 */
public final class ClickHouseProfileStore implements ProfileStore {
    private static final System.Logger LOG = System.getLogger(ClickHouseProfileStore.class.getName());
    private static final long[] ROLLED_UP_EVERYWHERE = {Long.MAX_VALUE, Long.MAX_VALUE};
    static final long PROBE_EVERY_MS = 1_000;

    private final ClickHouseConfig config;
    private final ClickHouseHttp http;
    private final SeriesIndex seriesIndex;
    private final StackDictionary stacks;
    private final GroupWriter writer;
    /** The cluster's shards, or null on a single server. */
    private final ClusterTopology topology;
    private final Retention retention;
    private final ScheduledExecutorService maintenance;
    private final ScheduledExecutorService prober;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ClickHouseProfileStore(ClickHouseConfig config) {
        this.config = config;
        this.http = new ClickHouseHttp(config);
        ClickHouseSchema.create(config, http);
        this.seriesIndex = new SeriesIndex(http);
        this.stacks = new StackDictionary(http, config.maxCachedStacks());
        this.topology = config.clustered() ? ClusterTopology.load(config, http) : null;
        this.writer = new GroupWriter(config, http, stacks, topology == null ? null
                : new ClusterWriter(stacks, topology, config.maxCachedStacks()));
        this.retention = new Retention(config, http);
        writer.start();
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "continuo-clickhouse-retention");
            t.setDaemon(true);
            return t;
        });
        long every = config.maintenanceInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::maintainQuietly, every, every, TimeUnit.MILLISECONDS);
        if (topology != null) {
            // Its own thread: a retention run may take minutes, and the partial flag must not wait for it.
            topology.probe();
            this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "continuo-clickhouse-probe");
                t.setDaemon(true);
                return t;
            });
            prober.scheduleWithFixedDelay(topology::probe, PROBE_EVERY_MS, PROBE_EVERY_MS, TimeUnit.MILLISECONDS);
        } else {
            this.prober = null;
        }
    }

    /**
     * Shards with no replica accepting connections (probed every {@link #PROBE_EVERY_MS}): queries answer without
     * them, so their answers are partial. Empty on a single server.
     */
    @Override
    public List<String> unavailable() {
        if (topology == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int shard : topology.down()) {
            out.add("ClickHouse shard " + shard + " of cluster " + config.cluster());
        }
        return out;
    }

    /** Connects, creating the database and tables when missing. Fails with ClickHouse's message when unreachable. */
    public static ClickHouseProfileStore open(ClickHouseConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            return new ClickHouseProfileStore(config);
        } catch (StoreException e) {
            throw new StoreException("cannot open the ClickHouse store " + config.database() + " at " + config.url()
                    + ": " + e.getMessage(), e);
        }
    }

    public ClickHouseConfig config() {
        return config;
    }

    /** The cluster's shards (tests); null on a single server. */
    ClusterTopology topology() {
        return topology;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public io.continuo.store.StoreHealth health() {
        return writer.health();
    }

    @Override
    public void write(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        writer.submitWrite(batch);
    }

    @Override
    public void writeMetrics(String tenant, Labels labels, List<MetricPoint> points) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(labels, "labels");
        checkOpen();
        if (points.isEmpty()) {
            return;
        }
        writer.submitMetrics(tenant, labels, List.copyOf(points));
    }

    @Override
    public long deleteBefore(String profileType, long cutoffMillis) {
        checkOpen();
        long removed = retention.deleteBefore(profileType, cutoffMillis);
        writer.forgetSeries();
        return removed;
    }

    /** Applies the configured retention now, to completion (tests, admin); it also runs every maintenanceInterval. */
    public void runMaintenance() {
        checkOpen();
        retention.apply(config.clock().millis());
        writer.forgetSeries();
    }

    private void maintainQuietly() {
        try {
            runMaintenance();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ClickHouse retention failed; will retry: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- queries

    @Override
    public FlameTree flameGraph(ProfileQuery query) {
        checkOpen();
        String tenant = Validation.tenant(query.tenant());
        SeriesIndex.Selection selected = seriesIndex.select(tenant, query.type(), query.selector(), query.fromMillis(),
                query.untilMillis());
        if (selected.isEmpty()) {
            return new FlameTree();
        }
        String where = " WHERE tenant = " + SqlLiterals.quote(tenant) + typeFilter(query.type())
                + " AND " + selected.condition();
        List<RangeSplit.Piece> pieces = RangeSplit.plan(query.fromMillis(), query.untilMillis(), ClickHouseSchema.RAW,
                ClickHouseSchema.ROLLUPS, ROLLED_UP_EVERYWHERE);
        if (!ProfileType.of(query.type()).cumulative()) {
            return readTree(gaugeSql(query, where, pieces));
        }
        // Each piece is aggregated where its rows are (on a cluster: GROUP BY stack per shard), then merged once.
        StringBuilder sql = new StringBuilder(pieces.size() == 1 ? "" : "SELECT stack_id, toInt64(sum(v)) FROM (");
        for (int i = 0; i < pieces.size(); i++) {
            RangeSplit.Piece p = pieces.get(i);
            sql.append(i > 0 ? " UNION ALL " : "").append("SELECT stack_id, toInt64(sum(value)) AS v FROM ")
                    .append(p.table()).append(where).append(" AND ts >= ").append(p.from()).append(" AND ts < ")
                    .append(p.until()).append(ClickHouseSchema.bucketCondition(p.table(), p.from(), p.until()))
                    .append(" GROUP BY stack_id");
        }
        sql.append(pieces.size() == 1 ? "" : ") GROUP BY stack_id").append(" FORMAT RowBinary");
        return readTree(sql.toString());
    }

    /**
     * A gauge reads as its mean level: each series' sum over its number of snapshots (distinct upload times: the
     * totals table's rows may not be merged yet), summed across series (docs/api.md). Series live on one shard each,
     * so the join by series is whole on a cluster too.
     */
    private static String gaugeSql(ProfileQuery query, String where, List<RangeSplit.Piece> pieces) {
        StringBuilder sql = new StringBuilder("SELECT stack_id, toInt64(round(sum(value / n))) FROM (");
        for (int i = 0; i < pieces.size(); i++) {
            RangeSplit.Piece p = pieces.get(i);
            sql.append(i > 0 ? " UNION ALL " : "").append("SELECT series_id, stack_id, value FROM ").append(p.table())
                    .append(where).append(" AND ts >= ").append(p.from()).append(" AND ts < ").append(p.until())
                    .append(ClickHouseSchema.bucketCondition(p.table(), p.from(), p.until()));
        }
        sql.append(") ANY INNER JOIN (SELECT series_id, toFloat64(uniqExact(ts)) AS n FROM totals").append(where)
                .append(" AND ts >= ").append(query.fromMillis()).append(" AND ts < ").append(query.untilMillis())
                .append(" GROUP BY series_id) USING series_id GROUP BY stack_id FORMAT RowBinary");
        return sql.toString();
    }

    /** The tables a flame graph over [from, until) reads, coarsest covering first (tests, docs). */
    static List<RangeSplit.Piece> plan(long from, long until) {
        return RangeSplit.plan(from, until, ClickHouseSchema.RAW, ClickHouseSchema.ROLLUPS, ROLLED_UP_EVERYWHERE);
    }

    @Override
    public FlameTree traceFlameGraph(TraceQuery query) {
        checkOpen();
        if (query.traceId() == null && query.spanId() == null) {
            return new FlameTree();
        }
        String tenant = Validation.tenant(query.tenant());
        SeriesIndex.Selection selected = seriesIndex.select(tenant, query.type(), Selector.ALL, query.fromMillis(),
                query.untilMillis());
        if (selected.isEmpty()) {
            return new FlameTree();
        }
        return readTree("SELECT stack_id, toInt64(sum(value)) FROM trace_samples" + traceWhere(tenant, query, selected)
                + " GROUP BY stack_id FORMAT RowBinary");
    }

    private FlameTree readTree(String sql) {
        RowBinaryInput in = http.query(sql);
        long[] ids = new long[1024];
        long[] values = new long[1024];
        int n = 0;
        while (in.hasMore()) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            ids[n] = in.int64();
            values[n++] = in.int64();
        }
        return stacks.tree(ids, values, n);
    }

    @Override
    public List<TimeSeries> totals(ProfileQuery query, long stepMillis, List<String> groupBy) {
        checkOpen();
        long[] buckets = Steps.buckets(query.fromMillis(), query.untilMillis(), stepMillis);
        String tenant = Validation.tenant(query.tenant());
        SeriesIndex.Selection selected = seriesIndex.select(tenant, query.type(), query.selector(), query.fromMillis(),
                query.untilMillis());
        if (selected.isEmpty() || buckets.length == 0) {
            return List.of();
        }
        // One row per (series, upload) in the totals view: exact for any step.
        // a gauge's point is the series' mean level in the step
        String sum = ProfileType.of(query.type()).cumulative() ? "toFloat64(sum(value))" : "toFloat64(sum(value)) / uniqExact(ts)";
        RowBinaryInput in = http.query("SELECT series_id, intDiv(ts, " + stepMillis + ") * " + stepMillis
                + " AS b, " + sum + " FROM totals WHERE tenant = " + SqlLiterals.quote(tenant)
                + typeFilter(query.type()) + " AND ts >= " + query.fromMillis()
                + " AND ts < " + query.untilMillis() + " AND " + selected.condition()
                + " GROUP BY series_id, b FORMAT RowBinary");
        Map<Long, Series> byId = byId(selected.series());
        Map<Labels, double[]> groups = new LinkedHashMap<>();
        while (in.hasMore()) {
            Series s = byId.get(in.int64());
            int i = (int) ((in.int64() - buckets[0]) / stepMillis);
            double value = in.float64();
            if (s != null && i >= 0 && i < buckets.length) {
                groups.computeIfAbsent(Steps.groupLabels(s.labels(), groupBy), k -> new double[buckets.length])[i]
                        += value;
            }
        }
        return Steps.sums(groups, buckets);
    }

    @Override
    public List<TimeSeries> metric(MetricQuery query, long stepMillis, List<String> groupBy) {
        checkOpen();
        long[] buckets = Steps.buckets(query.fromMillis(), query.untilMillis(), stepMillis);
        String tenant = Validation.tenant(query.tenant());
        SeriesIndex.Selection selected = seriesIndex.select(tenant, SeriesIndex.METRIC_PREFIX + query.name(),
                query.selector(), query.fromMillis(), query.untilMillis());
        if (selected.isEmpty() || buckets.length == 0) {
            return List.of();
        }
        RowBinaryInput in = http.query("SELECT series_id, intDiv(ts, " + stepMillis + ") * " + stepMillis
                + " AS b, toFloat64(sum(value)), toInt64(count()) FROM metrics WHERE tenant = "
                + SqlLiterals.quote(tenant) + " AND name = " + SqlLiterals.quote(query.name())
                + " AND ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND " + selected.condition() + " GROUP BY series_id, b FORMAT RowBinary");
        Map<Long, Series> byId = byId(selected.series());
        Map<Labels, double[][]> groups = new LinkedHashMap<>();
        while (in.hasMore()) {
            Series s = byId.get(in.int64());
            int i = (int) ((in.int64() - buckets[0]) / stepMillis);
            double sum = in.float64();
            long count = in.int64();
            if (s != null && i >= 0 && i < buckets.length) {
                double[][] g = groups.computeIfAbsent(Steps.groupLabels(s.labels(), groupBy),
                        k -> new double[][]{new double[buckets.length], new double[buckets.length]});
                g[0][i] += sum;
                g[1][i] += count;
            }
        }
        return Steps.averages(groups, buckets);
    }

    private static Map<Long, Series> byId(List<Series> selected) {
        Map<Long, Series> m = new HashMap<>(selected.size() * 2);
        for (Series s : selected) {
            m.put(s.id(), s);
        }
        return m;
    }

    @Override
    public List<String> labelNames(SeriesFilter filter) {
        checkOpen();
        return SeriesListing.labelNames(selectAny(filter));
    }

    @Override
    public List<String> labelValues(SeriesFilter filter, String labelName, int limit) {
        checkOpen();
        return SeriesListing.labelValues(selectAny(filter), labelName, limit);
    }

    @Override
    public List<TypeInfo> profileTypes(SeriesFilter filter) {
        checkOpen();
        return SeriesListing.profileTypes(selectAny(filter));
    }

    @Override
    public Map<String, List<TypeInfo>> profileTypesBy(SeriesFilter filter, String labelName, int limit) {
        checkOpen();
        TypesByLabel types = new TypesByLabel();
        for (Series s : selectAny(filter)) {
            types.add(s.labels().get(labelName), s.isMetric() ? null : s.type(), s.unit());
        }
        return types.result(limit);
    }

    @Override
    public List<String> metricNames(SeriesFilter filter) {
        checkOpen();
        return SeriesListing.metricNames(selectAny(filter));
    }

    private List<Series> selectAny(SeriesFilter f) {
        return seriesIndex.select(Validation.tenant(f.tenant()), SeriesIndex.ANY, f.selector(), f.fromMillis(),
                f.untilMillis()).series();
    }

    @Override
    public List<TraceSummary> traces(ProfileQuery query, int limit) {
        checkOpen();
        String tenant = Validation.tenant(query.tenant());
        SeriesIndex.Selection selected = limit <= 0 ? null : seriesIndex.select(tenant, query.type(), query.selector(),
                query.fromMillis(), query.untilMillis());
        if (selected == null || selected.isEmpty()) {
            return List.of();
        }
        return summaries("SELECT trace_id, min(span_id), min(series_id), toInt64(sum(value)) AS total, min(ts), "
                + "max(ts) FROM trace_samples WHERE tenant = " + SqlLiterals.quote(tenant)
                + typeFilter(query.type()) + " AND ts >= " + query.fromMillis() + " AND ts < "
                + query.untilMillis() + " AND " + selected.condition()
                + " GROUP BY trace_id ORDER BY total DESC, trace_id LIMIT " + limit + " FORMAT RowBinary", selected);
    }

    @Override
    public List<TraceSummary> spans(TraceQuery query, int limit) {
        checkOpen();
        if (limit <= 0 || (query.traceId() == null && query.spanId() == null)) {
            return List.of();
        }
        String tenant = Validation.tenant(query.tenant());
        SeriesIndex.Selection selected = seriesIndex.select(tenant, query.type(), Selector.ALL, query.fromMillis(),
                query.untilMillis());
        if (selected.isEmpty()) {
            return List.of();
        }
        return summaries("SELECT min(trace_id), span_id, min(series_id), toInt64(sum(value)) AS total, min(ts), "
                + "max(ts) FROM trace_samples" + traceWhere(tenant, query, selected)
                + " GROUP BY span_id ORDER BY total DESC, span_id LIMIT " + limit + " FORMAT RowBinary", selected);
    }

    /** Null type: every profile type (the series ids already exclude metrics). */
    private static String typeFilter(String type) {
        return type == null ? "" : " AND type = " + SqlLiterals.quote(type);
    }

    /** The trace_samples condition of a trace query: by trace id, by trace and span id, or by span id alone. */
    private static String traceWhere(String tenant, TraceQuery query, SeriesIndex.Selection selected) {
        StringBuilder sb = new StringBuilder(" WHERE tenant = ").append(SqlLiterals.quote(tenant))
                .append(typeFilter(query.type()));
        if (query.traceId() != null) {
            sb.append(" AND trace_id = ").append(SqlLiterals.quote(query.traceId()));
        }
        if (query.spanId() != null) {
            sb.append(" AND span_id = ").append(SqlLiterals.quote(query.spanId()));
        }
        return sb.append(" AND ts >= ").append(query.fromMillis()).append(" AND ts < ").append(query.untilMillis())
                .append(" AND ").append(selected.condition()).toString();
    }

    /** Rows of (trace_id, span_id, series_id, total, first ts, last ts), the endpoint taken from the series. */
    private List<TraceSummary> summaries(String sql, SeriesIndex.Selection selected) {
        Map<Long, Series> byId = byId(selected.series());
        RowBinaryInput in = http.query(sql);
        List<TraceSummary> out = new ArrayList<>();
        while (in.hasMore()) {
            String traceId = in.string();
            String spanId = in.string();
            Series s = byId.get(in.int64());
            String endpoint = s == null ? null : s.labels().get(Labels.ENDPOINT);
            out.add(new TraceSummary(traceId, spanId, endpoint, in.int64(), in.int64(), in.int64()));
        }
        return out;
    }

    @Override
    public StoreStats stats() {
        checkOpen();
        // Distinct ids, not rows: duplicates from several servers count once, merged or not.
        RowBinaryInput in = http.query("SELECT "
                + "(SELECT toInt64(uniqExact(series_id)) FROM series), "
                + "(SELECT toInt64(uniqExact(stack_id)) FROM stacks), "
                + "(SELECT toInt64(uniqExact(frame_id)) FROM frames), "
                + "(SELECT toInt64(count()) FROM samples), "
                + "(SELECT toInt64(count()) FROM samples_1m) + (SELECT toInt64(count()) FROM samples_1h), "
                + "(SELECT toInt64(count()) FROM trace_samples), "
                + "(SELECT toInt64(count()) FROM metrics), "
                + "(SELECT toInt64(sum(bytes_on_disk)) FROM " + (config.clustered()
                ? "cluster(" + SqlLiterals.quote(config.cluster()) + ", system, parts)" : "system.parts")
                + " WHERE active AND database = "
                + SqlLiterals.quote(config.database()) + ") FORMAT RowBinary");
        return new StoreStats(in.int64(), in.int64(), in.int64(), in.int64(), in.int64(), in.int64(), in.int64(),
                in.int64());
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StoreException("store is closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        maintenance.shutdownNow();
        if (prober != null) {
            prober.shutdownNow();
        }
        writer.shutdown();
    }
}
