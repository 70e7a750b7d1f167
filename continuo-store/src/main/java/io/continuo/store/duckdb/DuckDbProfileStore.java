package io.continuo.store.duckdb;

import io.continuo.model.FlameTree;
import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.ProfileType;
import io.continuo.model.ValidationException;
import io.continuo.model.Selector;
import io.continuo.store.HealthTracker;
import io.continuo.store.MetricPoint;
import io.continuo.store.MetricQuery;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.QueryDeadline;
import io.continuo.store.RangeSplit;
import io.continuo.store.SeriesFilter;
import io.continuo.store.SeriesListing;
import io.continuo.store.StoreException;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreHealth;
import io.continuo.store.StoreUnavailableException;
import io.continuo.store.StoreLimitException;
import io.continuo.store.StoreStats;
import io.continuo.store.Steps;
import io.continuo.store.TimeSeries;
import io.continuo.store.TraceQuery;
import io.continuo.store.TraceSummary;
import io.continuo.store.TypeInfo;
import io.continuo.store.TypesByLabel;
import io.continuo.store.WriteBatch;
import io.continuo.store.duckdb.SeriesCache.Series;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * The embedded store: one DuckDB file in the data directory, written by one {@link Writer} thread that group-commits
 * concurrent uploads, read through a small pool of connections. Frames, stacks and series live in memory as well
 * ({@link StackCache}, {@link SeriesCache}), so selectors are matched in Java and flame graphs are built from dense
 * stack ids without joins. See docs/storage.md.
 */
public final class DuckDbProfileStore implements ProfileStore {
    /** Tree building checks the query's deadline every 4096 rows. */
    private static final int DEADLINE_CHECK_MASK = 4095;
    /** Most points a totals or metric query may return per series. */
    public static final int MAX_POINTS = Steps.MAX_POINTS;
    /** What a client refused while the store is out of service is told to wait; the writer probes more often. */
    static final long RETRY_AFTER_SECONDS = 10;
    private static final String SAMPLE_SUM = SaturatedSql.sum(SaturatedSql.product("value", "scale"));

    private final DuckDbConfig config;
    private final Database db;
    private final Writer writer;
    private final HealthTracker health;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DuckDbProfileStore(DuckDbConfig config) throws SQLException, IOException {
        this.config = config;
        this.health = new HealthTracker(config.clock());
        Files.createDirectories(config.dataDir());
        this.db = new Database(config);
        try {
            markOpen();
            this.writer = new Writer(config, db, health);
        } catch (SQLException | RuntimeException e) {
            db.close();
            throw e;
        }
        writer.start();
    }

    /** Records the schema version, the watermarks and an unclean state until close() says otherwise. */
    private void markOpen() throws SQLException {
        try {
            db.putMeta(Schema.SCHEMA_VERSION, Schema.VERSION);
            long[] wm = db.watermarks().snapshot();
            for (int i = 0; i < Tiers.ALL.size(); i++) {
                db.putMeta(Tiers.ALL.get(i).watermarkKey(), wm[i]);
            }
            db.putMeta(Schema.CLEAN_SHUTDOWN, 0);
            db.connection().commit();
        } catch (SQLException e) {
            // A full disk at start: the store opens for queries and refuses writes until space returns.
            DuckDbFailures.Kind kind = DuckDbFailures.classify(e);
            if (kind == DuckDbFailures.Kind.RECOVERABLE) {
                throw e;
            }
            health.down(kind.failure(), e.getMessage());
            db.reopen();
        }
    }

    @Override
    public StoreHealth health() {
        return StoreHealth.withStuckWriter(health.snapshot(), writer.stuckMessage());
    }

    /** Opens (creating when missing) the store in {@code config.dataDir()}. */
    public static DuckDbProfileStore open(DuckDbConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            return new DuckDbProfileStore(config);
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open the DuckDB store in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }

    public DuckDbConfig config() {
        return config;
    }

    StackCache stacks() {
        return db.stacks();
    }

    /** The watermark of a rollup table, e.g. {@code samples_1h} (tests, admin). */
    long watermark(String table) {
        return db.watermarks().of(table);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void write(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkOpen();
        counted(() -> writer.submitWrite(batch));
    }

    @Override
    public void writeMetrics(String tenant, Labels labels, List<MetricPoint> points) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(labels, "labels");
        checkOpen();
        if (points.isEmpty()) {
            return;
        }
        counted(() -> writer.submitMetrics(tenant, labels, List.copyOf(points)));
    }

    /**
     * Runs a write, refusing it at once while the store is out of service (no caller waits on a full disk), and
     * counts its failure by reason for /metrics.
     */
    private void counted(Runnable write) {
        StoreFailure down = health.failure();
        if (down != null) {
            health.countFailure(down);
            throw outOfService(down, health.message());
        }
        try {
            write.run();
        } catch (StoreUnavailableException e) {
            health.countFailure(e.failure());
            throw e;
        } catch (StoreLimitException | ValidationException e) {
            throw e;
        } catch (StoreException e) {
            health.countFailure(StoreFailure.WRITE_FAILED);
            throw e;
        }
    }

    static StoreUnavailableException outOfService(StoreFailure failure, String cause) {
        String what = failure == StoreFailure.DISK_FULL
                ? "the store's disk is full; writes resume by themselves when space is freed"
                : "the store is recovering from an I/O error; writes resume by themselves when it has reopened";
        return new StoreUnavailableException(failure, what + "; nothing of this request was stored (" + cause + ")",
                RETRY_AFTER_SECONDS);
    }

    @Override
    public long deleteBefore(String profileType, long cutoffMillis) {
        checkOpen();
        return writer.call(() -> writer.deleteBefore(profileType, cutoffMillis));
    }

    /** Runs one rollup and retention pass now, to completion (tests, benchmarks, admin endpoints). */
    public void runMaintenance() {
        checkOpen();
        writer.call(() -> {
            writer.rollUpAll();
            writer.applyRetention();
            return null;
        });
    }

    /** Forces a DuckDB checkpoint: the WAL is folded into the database file (benchmarks measure size after it). */
    public void checkpoint() {
        checkOpen();
        writer.call(() -> {
            writer.checkpoint();
            return null;
        });
    }

    // ---------------------------------------------------------------- queries

    @Override
    public FlameTree flameGraph(ProfileQuery query) {
        checkOpen();
        List<Series> selected = db.series().select(query.tenant(), query.type(), query.selector(), query.fromMillis(),
                query.untilMillis(), db.lastSeenSlackMs());
        if (selected.isEmpty() || query.untilMillis() <= query.fromMillis()) {
            return new FlameTree();
        }
        String ids = ids(selected);
        if (!ProfileType.of(query.type()).cumulative()) {
            // A gauge (in-use heap, goroutines) reads as its mean level: each series' sum divided by its number of
            // snapshots in range (one totals row per upload), then summed across series (docs/api.md). Summed in
            // DOUBLE, which cannot overflow, and capped when cast back.
            StringBuilder sql = new StringBuilder("SELECT p.stack_id, least(greatest(round(sum(p.v / c.n)), -9.2e18), 9.2e18)::BIGINT FROM (");
            appendPieces(sql, "series_id, stack_id, " + SaturatedSql.product("value", "scale") + " AS v", ids,
                    query.fromMillis(), query.untilMillis());
            sql.append(") p JOIN (SELECT series_id, count(*)::DOUBLE AS n FROM totals WHERE ts >= ").append(query.fromMillis())
                    .append(" AND ts < ").append(query.untilMillis()).append(" AND series_id IN (").append(ids)
                    .append(") GROUP BY series_id) c ON p.series_id = c.series_id GROUP BY p.stack_id");
            return readTree(sql.toString());
        }
        StringBuilder sql = new StringBuilder("SELECT stack_id, " + SaturatedSql.sum("v") + " FROM (");
        appendPieces(sql, "stack_id, " + SaturatedSql.product("value", "scale") + " AS v", ids, query.fromMillis(), query.untilMillis());
        sql.append(") GROUP BY stack_id");
        return readTree(sql.toString());
    }

    @Override
    public FlameTree traceFlameGraph(TraceQuery query) {
        checkOpen();
        List<Series> selected = db.series().select(query.tenant(), query.type(), Selector.ALL, query.fromMillis(),
                query.untilMillis(), db.lastSeenSlackMs());
        if (selected.isEmpty() || (query.traceId() == null && query.spanId() == null)) {
            return new FlameTree();
        }
        // A span id alone is enough: span ids are unique within the range in practice.
        String sql = "SELECT stack_id, " + SAMPLE_SUM + " FROM trace_samples WHERE "
                + traceFilter(query)
                + " AND ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY stack_id";
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bindTrace(ps, query);
                try (ResultSet rs = ps.executeQuery()) {
                    return buildTree(rs);
                }
            }
        });
    }

    private FlameTree readTree(String sql) {
        return db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return buildTree(rs);
            }
        });
    }

    /** Maps (local stack id, value) rows to a tree of function names. Reads the stack snapshot after the query. */
    private FlameTree buildTree(ResultSet rs) throws SQLException {
        StackCache.Snapshot snap = db.stacks().snapshot();
        int[] parents = snap.parents();
        int[] frames = snap.frames();
        String[] frameNames = snap.frameNames();
        int[] nameIdOfFrame = new int[snap.frameCount()];
        Arrays.fill(nameIdOfFrame, -1);
        FlameTree tree = new FlameTree(1, 1024);
        int[] path = new int[64];
        int rows = 0;
        while (rs.next()) {
            if ((++rows & DEADLINE_CHECK_MASK) == 0) {
                QueryDeadline.check();
            }
            int stack = rs.getInt(1);
            long value = rs.getLong(2);
            if (value == 0 || stack <= 0 || stack >= snap.stackCount()) {
                continue;
            }
            int depth = 0;
            for (int s = stack; s > 0; s = parents[s]) {
                if (depth == path.length) {
                    path = Arrays.copyOf(path, depth * 2);
                }
                int f = frames[s];
                int nameId = nameIdOfFrame[f];
                if (nameId < 0) {
                    nameId = tree.nameId(frameNames[f]);
                    nameIdOfFrame[f] = nameId;
                }
                path[depth++] = nameId;
            }
            for (int i = 0, j = depth - 1; i < j; i++, j--) {
                int t = path[i];
                path[i] = path[j];
                path[j] = t;
            }
            tree.add(path, depth, value);
        }
        return tree;
    }

    @Override
    public List<TimeSeries> totals(ProfileQuery query, long stepMillis, List<String> groupBy) {
        checkOpen();
        long[] buckets = buckets(query.fromMillis(), query.untilMillis(), stepMillis);
        List<Series> selected = db.series().select(query.tenant(), query.type(), query.selector(), query.fromMillis(),
                query.untilMillis(), db.lastSeenSlackMs());
        if (selected.isEmpty() || buckets.length == 0) {
            return List.of();
        }
        // One row per (series, upload) in the totals table: no rollups needed, and exact for any step. A gauge's
        // point is the series' mean level in the step (sum over its snapshots there / their number).
        String sum = ProfileType.of(query.type()).cumulative() ? SaturatedSql.sum("value") : "sum(value)::DOUBLE / count(*)";
        String sql = "SELECT series_id, (ts // " + stepMillis + ") * " + stepMillis + " AS b, " + sum + " "
                + "FROM totals WHERE ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY 1, 2";
        Map<Integer, Series> byId = byId(selected);
        Map<Labels, double[]> groups = new LinkedHashMap<>();
        long first = buckets[0];
        db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    Series s = byId.get(rs.getInt(1));
                    int i = (int) ((rs.getLong(2) - first) / stepMillis);
                    if (s == null || i < 0 || i >= buckets.length) {
                        continue;
                    }
                    groups.computeIfAbsent(Steps.groupLabels(s.labels, groupBy), k -> new double[buckets.length])[i]
                            += rs.getDouble(3);
                }
            }
            return null;
        });
        return Steps.sums(groups, buckets);
    }

    @Override
    public List<TimeSeries> metric(MetricQuery query, long stepMillis, List<String> groupBy) {
        checkOpen();
        long[] buckets = buckets(query.fromMillis(), query.untilMillis(), stepMillis);
        List<Series> selected = db.series().select(query.tenant(), SeriesCache.METRIC_PREFIX + query.name(),
                query.selector(), query.fromMillis(), query.untilMillis(), db.lastSeenSlackMs());
        if (selected.isEmpty() || buckets.length == 0) {
            return List.of();
        }
        String sql = "SELECT series_id, (ts // " + stepMillis + ") * " + stepMillis + " AS b, sum(value), count(*) "
                + "FROM metrics WHERE ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY 1, 2";
        Map<Integer, Series> byId = byId(selected);
        Map<Labels, double[][]> groups = new LinkedHashMap<>();
        long first = buckets[0];
        db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    Series s = byId.get(rs.getInt(1));
                    int i = (int) ((rs.getLong(2) - first) / stepMillis);
                    if (s == null || i < 0 || i >= buckets.length) {
                        continue;
                    }
                    double[][] g = groups.computeIfAbsent(Steps.groupLabels(s.labels, groupBy),
                            k -> new double[][]{new double[buckets.length], new double[buckets.length]});
                    g[0][i] += rs.getDouble(3);
                    g[1][i] += rs.getLong(4);
                }
            }
            return null;
        });
        // Averages; buckets without a reading are left out rather than reported as 0 or NaN.
        return Steps.averages(groups, buckets);
    }

    /** Step starts (multiples of the step since the epoch) covering [from, until). */
    static long[] buckets(long from, long until, long step) {
        return Steps.buckets(from, until, step);
    }

    private void appendPieces(StringBuilder sql, String columns, String ids, long from, long until) {
        List<RangeSplit.Piece> pieces = Tiers.plan(from, until, db.watermarks().snapshot());
        for (int i = 0; i < pieces.size(); i++) {
            RangeSplit.Piece p = pieces.get(i);
            if (i > 0) {
                sql.append(" UNION ALL ");
            }
            sql.append("SELECT ").append(columns).append(" FROM ").append(p.table())
                    .append(" WHERE ts >= ").append(p.from()).append(" AND ts < ").append(p.until())
                    .append(" AND series_id IN (").append(ids).append(')');
        }
    }

    private static String ids(List<Series> selected) {
        StringBuilder sb = new StringBuilder(selected.size() * 6);
        for (int i = 0; i < selected.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(selected.get(i).id);
        }
        return sb.toString();
    }

    private static Map<Integer, Series> byId(List<Series> selected) {
        Map<Integer, Series> m = new HashMap<>(selected.size() * 2);
        for (Series s : selected) {
            m.put(s.id, s);
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
            types.add(s.labels.get(labelName), s.isMetric() ? null : s.type, s.unit);
        }
        return types.result(limit);
    }

    @Override
    public List<String> metricNames(SeriesFilter filter) {
        checkOpen();
        return SeriesListing.metricNames(selectAny(filter));
    }

    private List<Series> selectAny(SeriesFilter f) {
        return db.series().select(f.tenant(), "*", f.selector(), f.fromMillis(), f.untilMillis(), db.lastSeenSlackMs());
    }

    @Override
    public List<TraceSummary> spans(TraceQuery query, int limit) {
        checkOpen();
        List<Series> selected = db.series().select(query.tenant(), query.type(), Selector.ALL, query.fromMillis(),
                query.untilMillis(), db.lastSeenSlackMs());
        if (selected.isEmpty() || limit <= 0 || (query.traceId() == null && query.spanId() == null)) {
            return List.of();
        }
        Map<Integer, Series> byId = byId(selected);
        String sql = "SELECT min(trace_id), span_id, min(series_id), " + SAMPLE_SUM + " AS total, min(ts), max(ts) "
                + "FROM trace_samples WHERE "
                + traceFilter(query)
                + " AND ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY span_id ORDER BY total DESC, span_id LIMIT " + limit;
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bindTrace(ps, query);
                try (ResultSet rs = ps.executeQuery()) {
                    return summaries(rs, byId);
                }
            }
        });
    }

    @Override
    public List<TraceSummary> traces(ProfileQuery query, int limit) {
        checkOpen();
        List<Series> selected = db.series().select(query.tenant(), query.type(), query.selector(), query.fromMillis(),
                query.untilMillis(), db.lastSeenSlackMs());
        if (selected.isEmpty() || limit <= 0) {
            return List.of();
        }
        Map<Integer, Series> byId = byId(selected);
        String sql = "SELECT trace_id, min(span_id), min(series_id), " + SAMPLE_SUM + " AS total, min(ts), max(ts) "
                + "FROM trace_samples WHERE ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY trace_id ORDER BY total DESC, trace_id LIMIT "
                + limit;
        return db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return summaries(rs, byId);
            }
        });
    }

    /** Rows of (trace_id, span_id, series_id, total, first ts, last ts), the endpoint taken from the series. */
    private static List<TraceSummary> summaries(ResultSet rs, Map<Integer, Series> byId) throws SQLException {
        List<TraceSummary> out = new ArrayList<>();
        while (rs.next()) {
            Series s = byId.get(rs.getInt(3));
            String endpoint = s == null ? null : s.labels.get(Labels.ENDPOINT);
            out.add(new TraceSummary(rs.getString(1), rs.getString(2), endpoint, rs.getLong(4), rs.getLong(5), rs.getLong(6)));
        }
        return out;
    }

    /** The trace_samples condition of a trace query: by trace id, by trace and span id, or by span id alone. */
    private static String traceFilter(TraceQuery query) {
        return query.traceId() == null ? "span_id = ?" : "trace_id = ?" + (query.spanId() == null ? "" : " AND span_id = ?");
    }

    private static void bindTrace(PreparedStatement ps, TraceQuery query) throws SQLException {
        int param = 1;
        if (query.traceId() != null) {
            ps.setString(param++, query.traceId());
        }
        if (query.spanId() != null) {
            ps.setString(param, query.spanId());
        }
    }

    @Override
    public StoreStats stats() {
        checkOpen();
        return db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT "
                    + "(SELECT count(*) FROM series), (SELECT count(*) FROM stacks), (SELECT count(*) FROM frames), "
                    + "(SELECT count(*) FROM " + Tiers.RAW + "), "
                    + String.join(" + ", Tiers.ALL.stream().map(t -> "(SELECT count(*) FROM " + t.table() + ")")
                            .toList()) + ", "
                    + "(SELECT count(*) FROM trace_samples), (SELECT count(*) FROM metrics)")) {
                rs.next();
                return new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), bytesOnDisk());
            }
        });
    }

    /** Bytes of the database file and its WAL. */
    public long bytesOnDisk() {
        try (Stream<Path> files = Files.list(config.dataDir())) {
            return files.filter(p -> p.getFileName().toString().startsWith(DuckDbConfig.DATABASE_FILE))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- plumbing

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
        writer.shutdown();
        db.close();
    }
}
