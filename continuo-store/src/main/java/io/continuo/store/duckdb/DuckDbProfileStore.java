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
import io.continuo.store.SeriesFilter;
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
    /** After an unclean shutdown, series end times may lag by up to this much (they are persisted lazily). */
    static final long LAST_SEEN_PERSIST_SLACK_MS = 5 * 60_000L;
    /** Most points a totals or metric query may return per series. */
    public static final int MAX_POINTS = Steps.MAX_POINTS;
    /** What a client refused while the store is out of service is told to wait; the writer probes more often. */
    static final long RETRY_AFTER_SECONDS = 10;
    private static final int PERFECT_HASH_BITS = 20;
    private static final String SAMPLE_SUM = SaturatedSql.sum(SaturatedSql.product("value", "scale"));
    private static final System.Logger LOG = System.getLogger(DuckDbProfileStore.class.getName());
    /** A WAL size DuckDB never reaches, i.e. no checkpoint inside a commit (see {@link #openDatabase}). */
    private static final String NO_AUTOMATIC_CHECKPOINT = "1TB";
    private static final long REOPEN_LOCK_WAIT_SECONDS = 30;

    private final DuckDbConfig config;
    /** The open database, replaced when the writer reopens it after a fatal I/O error; null while it cannot open. */
    private volatile DuckDBConnection connection;
    /**
     * Queries hold the read side while they use a connection of the current database; a reopen takes the write side,
     * so no query runs on an instance being closed and no second instance of the file is ever open in the process.
     */
    private final ReentrantReadWriteLock databaseLock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Connection> readers = new ConcurrentLinkedQueue<>();
    private volatile StackCache stacks;
    private volatile SeriesCache series = new SeriesCache();
    private final Writer writer;
    private final HealthTracker health;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastSeenSlackMs;
    /** Per rollup tier (RangePlan.TIERS): rows with ts below it are in that tier's table. Moved by the writer only. */
    final java.util.concurrent.atomic.AtomicLongArray watermarks =
            new java.util.concurrent.atomic.AtomicLongArray(RangePlan.TIERS.size());

    private DuckDbProfileStore(DuckDbConfig config) throws SQLException, IOException {
        this.config = config;
        this.health = new HealthTracker(config.clock());
        Files.createDirectories(config.dataDir());
        Map<String, Long> meta = openDatabase();
        boolean clean = meta.getOrDefault(Schema.CLEAN_SHUTDOWN, 1L) == 1L;
        this.lastSeenSlackMs = clean ? 0 : LAST_SEEN_PERSIST_SLACK_MS;
        try {
            putMeta(Schema.SCHEMA_VERSION, Schema.VERSION);
            for (int i = 0; i < RangePlan.TIERS.size(); i++) {
                putMeta(RangePlan.TIERS.get(i).watermarkKey(), watermarks.get(i));
            }
            putMeta(Schema.CLEAN_SHUTDOWN, 0);
            connection.commit();
        } catch (SQLException e) {
            // A full disk at start: the store opens for queries and refuses writes until space returns.
            DuckDbFailures.Kind kind = DuckDbFailures.classify(e);
            if (kind == DuckDbFailures.Kind.RECOVERABLE) {
                throw e;
            }
            health.down(kind.failure(), e.getMessage());
            this.lastSeenSlackMs = LAST_SEEN_PERSIST_SLACK_MS;
            reopen();
        }
        this.writer = new Writer(this, connection);
        writer.start();
    }

    /**
     * Opens the database file (DuckDB replays its WAL) and loads the caches and watermarks from it; returns its meta.
     * Automatic checkpoints are off: DuckDB would run them inside a commit, where a full disk turns into a failed
     * commit of an invalidated database. The writer checkpoints itself, only while healthy and with room to spare.
     */
    private Map<String, Long> openDatabase() throws SQLException {
        DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + config.databaseFile());
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET memory_limit='" + (config.memoryLimitBytes() >> 20) + "MB'");
                st.execute("SET threads=" + config.threads());
                // Rows of one upload are appended in order; nothing depends on DuckDB keeping that order in results.
                st.execute("SET preserve_insertion_order=false");
                st.execute("SET wal_autocheckpoint='" + NO_AUTOMATIC_CHECKPOINT + "'");
                // Closing must never write the in-memory state of a database an I/O error may have damaged.
                st.execute("PRAGMA disable_checkpoint_on_shutdown");
            }
            Schema.create(c);
            this.connection = c;
            Map<String, Long> meta = loadMeta();
            for (int i = 0; i < RangePlan.TIERS.size(); i++) {
                watermarks.set(i, meta.getOrDefault(RangePlan.TIERS.get(i).watermarkKey(), 0L));
            }
            this.stacks = loadStacks();
            this.series = loadSeries();
            c.setAutoCommit(false);
            return meta;
        } catch (SQLException | RuntimeException e) {
            this.connection = null;
            closeQuietly(c);
            throw e;
        }
    }

    /**
     * Closes the database and opens it again from its files (writer thread only). After a fatal I/O error DuckDB's
     * in-memory state cannot be trusted (it may be invalidated, or worse, half-applied); what is on disk is: the
     * database file plus a WAL whose failed tail DuckDB truncated. Reopening replays the WAL, so every acknowledged
     * write is back, and the caches are rebuilt from it. Returns the new connection, or null when it cannot open
     * (the writer keeps trying).
     */
    DuckDBConnection reopen() {
        boolean locked = false;
        try {
            locked = databaseLock.writeLock().tryLock(REOPEN_LOCK_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.log(System.Logger.Level.WARNING, "queries kept the database busy; reopening it later");
            return null;
        }
        try {
            closeDatabase();
            // Series end times in the file may lag what readers saw (they are persisted lazily).
            lastSeenSlackMs = LAST_SEEN_PERSIST_SLACK_MS;
            try {
                openDatabase();
                return connection;
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot reopen the database yet: " + e.getMessage());
                return null;
            }
        } finally {
            databaseLock.writeLock().unlock();
        }
    }

    private void closeDatabase() {
        Connection c;
        while ((c = readers.poll()) != null) {
            closeQuietly(c);
        }
        DuckDBConnection old = connection;
        connection = null;
        if (old != null) {
            closeQuietly(old);
        }
    }

    HealthTracker healthTracker() {
        return health;
    }

    @Override
    public StoreHealth health() {
        return health.snapshot();
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
        return stacks;
    }

    SeriesCache series() {
        return series;
    }

    // ---------------------------------------------------------------- loading

    private Map<String, Long> loadMeta() throws SQLException {
        Map<String, Long> meta = new HashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT key, value FROM meta")) {
            while (rs.next()) {
                meta.put(rs.getString(1), rs.getLong(2));
            }
        }
        return meta;
    }

    /** Re-reads the stored watermarks (after a rollback). */
    void reloadWatermarks() throws SQLException {
        Map<String, Long> meta = loadMeta();
        for (int i = 0; i < RangePlan.TIERS.size(); i++) {
            watermarks.set(i, meta.getOrDefault(RangePlan.TIERS.get(i).watermarkKey(), 0L));
        }
    }

    /** The watermark of a rollup table, e.g. {@code samples_1h} (tests, admin). */
    long watermark(String table) {
        for (int i = 0; i < RangePlan.TIERS.size(); i++) {
            if (RangePlan.TIERS.get(i).table().equals(table)) {
                return watermarks.get(i);
            }
        }
        throw new IllegalArgumentException("no rollup table " + table);
    }

    void putMeta(String key, long value) throws SQLException {
        try (PreparedStatement del = connection.prepareStatement("DELETE FROM meta WHERE key = ?");
             PreparedStatement ins = connection.prepareStatement("INSERT INTO meta VALUES (?, ?)")) {
            del.setString(1, key);
            del.executeUpdate();
            ins.setString(1, key);
            ins.setLong(2, value);
            ins.executeUpdate();
        }
    }

    private StackCache loadStacks() throws SQLException {
        int stackCount;
        int frameCount;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM stacks), (SELECT count(*) FROM frames)")) {
            rs.next();
            stackCount = rs.getInt(1);
            frameCount = rs.getInt(2);
        }
        StackCache cache = new StackCache(stackCount, frameCount);
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT local_id, frame_id, name FROM frames ORDER BY local_id")) {
                while (rs.next()) {
                    cache.loadFrame(rs.getInt(1), rs.getLong(2), rs.getString(3));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT stack_id, stack_hash, parent_id, frame_id FROM stacks ORDER BY stack_id")) {
                while (rs.next()) {
                    cache.loadStack(rs.getInt(1), rs.getLong(2), rs.getInt(3), rs.getInt(4));
                }
            }
        }
        cache.publish();
        return cache;
    }

    private SeriesCache loadSeries() throws SQLException {
        SeriesCache series = new SeriesCache();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT series_id, tenant, type, unit, labels, first_ms, last_ms "
                     + "FROM series ORDER BY series_id")) {
            while (rs.next()) {
                Labels labels = parseLabels(rs.getString(5));
                series.add(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), labels,
                        rs.getLong(6), rs.getLong(7));
            }
        }
        return series;
    }

    static Labels parseLabels(String text) {
        Labels.Builder b = Labels.builder();
        for (LabelMatcher m : Selector.parse(text).matchers()) {
            b.put(m.name(), m.value());
        }
        return b.build();
    }

    /**
     * Rebuilds the caches from the database after a failed transaction left them ahead of it (writer thread only,
     * after the rollback). Readers holding the old caches finish with them; ids they saw were never committed.
     */
    void reloadCaches() throws SQLException {
        stacks = loadStacks();
        series = loadSeries();
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
            writer.rollUp(Long.MAX_VALUE);
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
        List<Series> selected = series.select(query.tenant(), query.type(), query.selector(), query.fromMillis(),
                query.untilMillis(), lastSeenSlackMs);
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
        List<Series> selected = series.select(query.tenant(), query.type(), Selector.ALL, query.fromMillis(),
                query.untilMillis(), lastSeenSlackMs);
        if (selected.isEmpty() || (query.traceId() == null && query.spanId() == null)) {
            return new FlameTree();
        }
        // A span id alone is enough: span ids are unique within the range in practice.
        String sql = "SELECT stack_id, " + SAMPLE_SUM + " FROM trace_samples WHERE "
                + traceFilter(query)
                + " AND ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY stack_id";
        return withReader(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bindTrace(ps, query);
                try (ResultSet rs = ps.executeQuery()) {
                    return buildTree(rs);
                }
            }
        });
    }

    private FlameTree readTree(String sql) {
        return withReader(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return buildTree(rs);
            }
        });
    }

    /** Maps (local stack id, value) rows to a tree of function names. Reads the stack snapshot after the query. */
    private FlameTree buildTree(ResultSet rs) throws SQLException {
        StackCache.Snapshot snap = stacks.snapshot();
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
        List<Series> selected = series.select(query.tenant(), query.type(), query.selector(), query.fromMillis(),
                query.untilMillis(), lastSeenSlackMs);
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
        withReader(c -> {
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
        List<Series> selected = series.select(query.tenant(), SeriesCache.METRIC_PREFIX + query.name(),
                query.selector(), query.fromMillis(), query.untilMillis(), lastSeenSlackMs);
        if (selected.isEmpty() || buckets.length == 0) {
            return List.of();
        }
        String sql = "SELECT series_id, (ts // " + stepMillis + ") * " + stepMillis + " AS b, sum(value), count(*) "
                + "FROM metrics WHERE ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY 1, 2";
        Map<Integer, Series> byId = byId(selected);
        Map<Labels, double[][]> groups = new LinkedHashMap<>();
        long first = buckets[0];
        withReader(c -> {
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
        long[] wm = new long[RangePlan.TIERS.size()];
        for (int i = 0; i < wm.length; i++) {
            wm[i] = watermarks.get(i);
        }
        List<RangePlan.Piece> pieces = RangePlan.plan(from, until, wm);
        for (int i = 0; i < pieces.size(); i++) {
            RangePlan.Piece p = pieces.get(i);
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
        TreeSet<String> names = new TreeSet<>();
        for (Series s : selectAny(filter)) {
            for (int i = 0; i < s.labels.size(); i++) {
                names.add(s.labels.name(i));
            }
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(SeriesFilter filter, String labelName, int limit) {
        checkOpen();
        TreeSet<String> values = new TreeSet<>();
        for (Series s : selectAny(filter)) {
            String v = s.labels.get(labelName);
            if (v != null) {
                values.add(v);
            }
        }
        return values.stream().limit(Math.max(0, limit)).toList();
    }

    @Override
    public List<TypeInfo> profileTypes(SeriesFilter filter) {
        checkOpen();
        TreeMap<String, String> types = new TreeMap<>();
        for (Series s : selectAny(filter)) {
            if (!s.isMetric()) {
                types.putIfAbsent(s.type, s.unit);
            }
        }
        List<TypeInfo> out = new ArrayList<>();
        types.forEach((name, unit) -> out.add(new TypeInfo(name, unit)));
        return out;
    }

    @Override
    public List<String> metricNames(SeriesFilter filter) {
        checkOpen();
        TreeSet<String> names = new TreeSet<>();
        for (Series s : selectAny(filter)) {
            if (s.isMetric()) {
                names.add(s.metricName());
            }
        }
        return List.copyOf(names);
    }

    private List<Series> selectAny(SeriesFilter f) {
        return series.select(f.tenant(), "*", f.selector(), f.fromMillis(), f.untilMillis(), lastSeenSlackMs);
    }

    @Override
    public List<TraceSummary> spans(TraceQuery query, int limit) {
        checkOpen();
        List<Series> selected = series.select(query.tenant(), query.type(), Selector.ALL, query.fromMillis(),
                query.untilMillis(), lastSeenSlackMs);
        if (selected.isEmpty() || limit <= 0 || (query.traceId() == null && query.spanId() == null)) {
            return List.of();
        }
        Map<Integer, Series> byId = byId(selected);
        String sql = "SELECT min(trace_id), span_id, min(series_id), " + SAMPLE_SUM + " AS total, min(ts), max(ts) "
                + "FROM trace_samples WHERE "
                + traceFilter(query)
                + " AND ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY span_id ORDER BY total DESC, span_id LIMIT " + limit;
        return withReader(c -> {
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
        List<Series> selected = series.select(query.tenant(), query.type(), query.selector(), query.fromMillis(),
                query.untilMillis(), lastSeenSlackMs);
        if (selected.isEmpty() || limit <= 0) {
            return List.of();
        }
        Map<Integer, Series> byId = byId(selected);
        String sql = "SELECT trace_id, min(span_id), min(series_id), " + SAMPLE_SUM + " AS total, min(ts), max(ts) "
                + "FROM trace_samples WHERE ts >= " + query.fromMillis() + " AND ts < " + query.untilMillis()
                + " AND series_id IN (" + ids(selected) + ") GROUP BY trace_id ORDER BY total DESC, trace_id LIMIT "
                + limit;
        return withReader(c -> {
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
        return withReader(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT "
                    + "(SELECT count(*) FROM series), (SELECT count(*) FROM stacks), (SELECT count(*) FROM frames), "
                    + "(SELECT count(*) FROM samples), "
                    + "(SELECT count(*) FROM samples_1m) + (SELECT count(*) FROM samples_10m) "
                    + "+ (SELECT count(*) FROM samples_1h), "
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

    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T withReader(SqlFunction<T> body) {
        if (!databaseLock.readLock().tryLock()) {
            // A reopen is waiting or running: answer now rather than queue behind it.
            throw new StoreUnavailableException(StoreFailure.IO_ERROR, "the store is reopening its database; "
                    + "retry shortly", 2);
        }
        try {
            DuckDBConnection db = connection;
            if (db == null) {
                throw new StoreUnavailableException(StoreFailure.IO_ERROR, "the store's database is not open ("
                        + health.message() + "); it is reopened by itself", RETRY_AFTER_SECONDS);
            }
            Connection c = readers.poll();
            try {
                if (c == null) {
                    c = db.duplicate();
                    // duplicate() copies the writer's autocommit=false: a reader must not pin an old snapshot.
                    c.setAutoCommit(true);
                    tuneReader(c);
                }
                QueryDeadline deadline = QueryDeadline.current();
                QueryDeadline.check();
                T result = body.apply(deadline == null ? c : CancellableConnection.wrap(c, deadline));
                if (closed.get()) {
                    c.close();
                } else {
                    readers.offer(c);
                }
                c = null;
                return result;
            } catch (SQLException e) {
                if (QueryDeadline.isExpired()) {
                    // cancelled by the deadline (DuckDB says "INTERRUPT Error"); the connection is closed below
                    throw QueryDeadline.current().exception();
                }
                throw new StoreException("query failed: " + e.getMessage(), e);
            } finally {
                if (c != null) {
                    closeQuietly(c);
                }
            }
        } finally {
            databaseLock.readLock().unlock();
        }
    }

    /**
     * Lets DuckDB aggregate by stack id into a flat array instead of a hash table while ids fit in 20 bits (a million
     * stacks): measured 98 -> 54 ms for an 8,000-group sum over one hour of 50 instances' minute rollups.
     */
    private static void tuneReader(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET perfect_ht_threshold=" + PERFECT_HASH_BITS);
        }
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
        writer.shutdown();
        databaseLock.writeLock().lock();
        try {
            closeDatabase();
        } finally {
            databaseLock.writeLock().unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing: nothing left to do with the error
        }
    }
}
