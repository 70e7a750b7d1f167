package io.continuo.store.duckdb;

import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.ProfileType;
import io.continuo.model.ValidationException;
import io.continuo.store.MetricPoint;
import io.continuo.store.SeriesRows;
import io.continuo.store.HealthTracker;
import io.continuo.store.StoreException;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreLimitException;
import io.continuo.store.TraceRows;
import io.continuo.store.Validation;
import io.continuo.store.WriteBatch;
import io.continuo.store.commit.GroupCommit;
import io.continuo.store.duckdb.SeriesCache.Series;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The only thread that writes to DuckDB. Callers enqueue a task and wait on its future; the thread drains up to
 * {@code maxGroupCommit} tasks, appends them all in one transaction and commits once (group commit), then completes
 * the futures, so a caller returns only once its rows are in the WAL. Between groups it rolls up completed minutes
 * and hours and applies retention. Running everything on one thread means the caches need no write locks and the
 * rollup watermarks cannot race late writes.
 * <p>
 * The queue is bounded: when the disk is slower than the uploads, {@code write} blocks the caller (back-pressure
 * reaches the HTTP layer) rather than buffering without limit.
 */
final class Writer implements GroupCommit.Committer<Writer.Op> {
    private static final System.Logger LOG = System.getLogger(Writer.class.getName());
    private static final int QUEUE_CAPACITY = 1024;
    private static final long RETENTION_INTERVAL_MS = 10 * 60_000L;
    /** Calls (deletes, maintenance, checkpoint) may legitimately run for minutes on a big store. */
    private static final Duration CALL_WAIT = Duration.ofMinutes(10);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);
    /** How often an out-of-service store checks whether it can write again. */
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    /** Writes resume after a full disk only with this much room, so they do not fail again at once. */
    static final long RESUME_FREE_BYTES = 8L << 20;
    /** The writer checkpoints (folds the WAL into the file) once the WAL is this big and the disk has room. */
    static final long CHECKPOINT_WAL_BYTES = 16L << 20;

    private final DuckDbProfileStore store;
    private final DuckDbConfig config;
    /** The current database (replaced by a reopen); null while it cannot be opened. */
    private DuckDBConnection connection;
    private final GroupCommit<Op> commits;
    private long nextMaintenance;
    private long nextRetention;
    private long lastProbe = System.nanoTime() - PROBE_INTERVAL.toNanos();
    private final HealthTracker health;

    private DuckDBAppender frames;
    private DuckDBAppender stacks;
    private DuckDBAppender series;
    private DuckDBAppender samples;
    /** One per rollup tier, for late rows. */
    private DuckDBAppender[] rollups;
    private DuckDBAppender traceSamples;
    private DuckDBAppender totals;
    private DuckDBAppender metrics;

    /** Series whose first/last timestamps moved in the current transaction. */
    private final Set<Series> touched = new HashSet<>();
    private long[] packed = new long[4096];
    private int[] rowStacks = new int[4096];
    private long[] rowValues = new long[4096];

    Writer(DuckDbProfileStore store, DuckDBConnection connection) throws SQLException {
        this.store = store;
        this.config = store.config();
        this.health = store.healthTracker();
        attach(connection);
        long now = config.clock().millis();
        this.nextMaintenance = now + config.maintenanceInterval().toMillis();
        this.nextRetention = nextMaintenance;
        this.commits = new GroupCommit<>(new GroupCommit.Options("continuo-store-writer", QUEUE_CAPACITY,
                config.maxGroupCommit(), config.commitTimeout(), PROBE_INTERVAL), this);
    }

    void start() {
        commits.start();
    }

    /**
     * Opens the JDBC transaction now. DuckDB's appenders join an open transaction, but without one each flush
     * commits on its own (measured on 1.4.1: the JDBC driver begins its transaction lazily, at the next statement),
     * which split a group across tables: after a failure or kill -9, totals rows without their samples. So every
     * transaction of the writer starts with a statement, and one upload's rows commit together or not at all.
     */
    private void begin() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("SELECT 1");
        }
    }

    /** Uses a (re)opened database; null leaves the writer without one until a probe reopens it. */
    private void attach(DuckDBConnection c) throws SQLException {
        this.connection = c;
        if (c != null) {
            openAppenders();
        }
    }

    private void openAppenders() throws SQLException {
        String schema = DuckDBConnection.DEFAULT_SCHEMA;
        frames = connection.createAppender(schema, "frames");
        stacks = connection.createAppender(schema, "stacks");
        series = connection.createAppender(schema, "series");
        samples = connection.createAppender(schema, "samples");
        rollups = new DuckDBAppender[RangePlan.TIERS.size()];
        for (int i = 0; i < rollups.length; i++) {
            rollups[i] = connection.createAppender(schema, RangePlan.TIERS.get(i).table());
        }
        traceSamples = connection.createAppender(schema, "trace_samples");
        totals = connection.createAppender(schema, "totals");
        metrics = connection.createAppender(schema, "metrics");
    }

    private List<DuckDBAppender> appenders() {
        List<DuckDBAppender> all = new ArrayList<>(Arrays.asList(frames, stacks, series, samples, traceSamples,
                totals, metrics));
        all.addAll(Arrays.asList(rollups));
        return all;
    }

    // ---------------------------------------------------------------- tasks

    /** What callers hand the commit thread. */
    sealed interface Op permits BatchOp, MetricsOp, CallOp {
    }

    /** Appended inside a group-commit transaction. */
    private record BatchOp(WriteBatch batch) implements Op {
    }

    private record MetricsOp(String tenant, Labels labels, List<MetricPoint> points) implements Op {
    }

    /** Runs alone in its own transaction (deletes, maintenance, checkpoint). */
    private record CallOp(SqlCall<?> body) implements Op {
    }

    @FunctionalInterface
    interface SqlCall<T> {
        T call() throws SQLException;
    }

    void submitWrite(WriteBatch batch) {
        Validation.check(batch);
        commits.submit(new BatchOp(batch));
    }

    void submitMetrics(String tenant, Labels labels, List<MetricPoint> points) {
        commits.submit(new MetricsOp(tenant, labels, points));
    }

    @SuppressWarnings("unchecked")
    <T> T call(SqlCall<T> body) {
        return (T) commits.submit(new CallOp(body), CALL_WAIT);
    }

    // ---------------------------------------------------------------- the commit thread

    @Override
    public void idle() {
        if (health.failure() != null) {
            probe();
            return;
        }
        long now = config.clock().millis();
        if (now < nextMaintenance) {
            return;
        }
        boolean retention = now >= nextRetention;
        nextMaintenance = now + config.maintenanceInterval().toMillis();
        if (retention) {
            nextRetention = now + RETENTION_INTERVAL_MS;
        }
        maintain(retention);
    }

    private void maintain(boolean retention) {
        try {
            begin();
            rollUp(1);
            connection.commit();
            if (retention) {
                applyRetention();
                connection.commit();
            }
            if (walBytes() > CHECKPOINT_WAL_BYTES && hasRoomToCheckpoint()) {
                checkpoint();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "store maintenance failed; will retry", e);
            failed(e);
        }
    }

    // ---------------------------------------------------------------- out of service and back

    /**
     * After a failed transaction: a recoverable error is rolled back; a fatal one (full disk, I/O error, an
     * invalidated instance) takes the store out of service and reopens the database from its files, never writing
     * (nor checkpointing) the instance that failed.
     */
    private void failed(Throwable e) {
        DuckDbFailures.Kind kind = DuckDbFailures.classify(e);
        if (kind == DuckDbFailures.Kind.RECOVERABLE) {
            recover();
            kind = stillAnswers();
            if (kind == DuckDbFailures.Kind.RECOVERABLE) {
                return;
            }
        }
        goDown(kind.failure(), String.valueOf(e.getMessage()));
    }

    /** Whether the instance still answers after a rollback (a recoverable-looking error may have invalidated it). */
    private DuckDbFailures.Kind stillAnswers() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            return DuckDbFailures.Kind.RECOVERABLE;
        } catch (SQLException | RuntimeException e) {
            DuckDbFailures.Kind k = DuckDbFailures.classify(e);
            return k == DuckDbFailures.Kind.RECOVERABLE ? DuckDbFailures.Kind.IO_ERROR : k;
        }
    }

    private void goDown(StoreFailure failure, String message) {
        LOG.log(System.Logger.Level.ERROR, "store out of service (" + failure.reason() + "): " + message
                + "; reopening the database from its files and refusing writes until it can write again");
        health.down(failure, message);
        touched.clear();
        if (connection != null) {
            for (DuckDBAppender a : appenders()) {
                try {
                    a.close();
                } catch (SQLException | RuntimeException ignored) {
                    // the instance is being thrown away; its uncommitted rows with it
                }
            }
        }
        reattach();
    }

    private void reattach() {
        try {
            attach(store.reopen());
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reopened database has no appenders yet: " + e.getMessage());
            connection = null;
        }
    }

    /**
     * While out of service: reopen when the database is not open, wait for room on a full disk, then prove the
     * store can commit again with a one-row write before taking uploads.
     */
    private void probe() {
        long now = System.nanoTime();
        if (now - lastProbe < PROBE_INTERVAL.toNanos()) {
            return;
        }
        lastProbe = now;
        if (connection == null) {
            reattach();
            if (connection == null) {
                return;
            }
        }
        if (health.failure() == StoreFailure.DISK_FULL && usableBytes() < RESUME_FREE_BYTES) {
            return;
        }
        try {
            store.putMeta(Schema.LAST_PROBE, config.clock().millis());
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            DuckDbFailures.Kind kind = DuckDbFailures.classify(e);
            goDown(kind == DuckDbFailures.Kind.RECOVERABLE ? health.failure() : kind.failure(),
                    String.valueOf(e.getMessage()));
            return;
        }
        LOG.log(System.Logger.Level.INFO, "store back in service after " + health.failure().reason());
        health.up();
    }

    private long usableBytes() {
        try {
            return Files.getFileStore(config.dataDir()).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    private long walBytes() {
        try {
            Path wal = config.databaseFile().resolveSibling(config.databaseFile().getFileName() + ".wal");
            return Files.exists(wal) ? Files.size(wal) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** A checkpoint writes the WAL's changes into new blocks of the file before it frees old ones. */
    private boolean hasRoomToCheckpoint() {
        return usableBytes() >= 2 * walBytes() + RESUME_FREE_BYTES;
    }

    /** Folds the WAL into the database file (commit thread only, between transactions). */
    void checkpoint() throws SQLException {
        connection.commit();
        try (Statement st = connection.createStatement()) {
            st.execute("CHECKPOINT");
        }
    }

    /** Commits a drained group in order: runs of writes share one transaction, calls run alone. */
    @Override
    public void commit(List<GroupCommit.Task<Op>> group) {
        StoreFailure down = health.failure();
        if (down != null || connection == null) {
            // Queued before the store went out of service: refused now, nothing of them touched the database.
            StoreFailure f = down == null ? StoreFailure.IO_ERROR : down;
            group.forEach(t -> t.fail(DuckDbProfileStore.outOfService(f, health.message())));
            return;
        }
        List<GroupCommit.Task<Op>> writes = new ArrayList<>(group.size());
        for (GroupCommit.Task<Op> t : group) {
            if (!(t.payload() instanceof CallOp call)) {
                writes.add(t);
                continue;
            }
            commitWrites(writes);
            writes.clear();
            runCall(t, call);
        }
        commitWrites(writes);
    }

    private void commitWrites(List<GroupCommit.Task<Op>> writes) {
        if (writes.isEmpty()) {
            return;
        }
        List<GroupCommit.Task<Op>> applied = new ArrayList<>(writes.size());
        try {
            begin();
            for (GroupCommit.Task<Op> w : writes) {
                try {
                    apply(w.payload());
                    applied.add(w);
                } catch (StoreLimitException | ValidationException e) {
                    // Refused before any row of it was appended: the rest of the group still commits.
                    w.fail(e);
                }
            }
            for (DuckDBAppender a : appenders()) {
                a.flush();
            }
            persistSeriesTimes(false);
            store.stacks().publish();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            failed(e);
            StoreFailure down = health.failure();
            StoreException failure = down != null ? DuckDbProfileStore.outOfService(down, String.valueOf(e.getMessage()))
                    : new StoreException("write failed, nothing of this batch was stored: " + e.getMessage(), e);
            applied.forEach(w -> w.fail(failure));
            return;
        } catch (Error e) {
            // Rows of the group may be half-appended: roll them back before answering, then let GroupCommit answer.
            recover();
            throw e;
        }
        applied.forEach(w -> w.succeed(null));
    }

    private void apply(Op op) throws SQLException {
        if (op instanceof BatchOp b) {
            applyBatch(b.batch());
        } else if (op instanceof MetricsOp m) {
            applyMetrics(m.tenant(), m.labels(), m.points());
        }
    }

    private void runCall(GroupCommit.Task<Op> t, CallOp call) {
        try {
            begin();
            Object result = call.body().call();
            persistSeriesTimes(false);
            connection.commit();
            t.succeed(result);
        } catch (SQLException | RuntimeException e) {
            failed(e);
            t.fail(e instanceof RuntimeException re ? re : new StoreException(e.getMessage(), e));
        } catch (Error e) {
            recover();
            throw e;
        }
    }

    /** After a failure: roll back, drop buffered appender rows, and reload caches from what is committed. */
    private void recover() {
        touched.clear();
        try {
            for (DuckDBAppender a : appenders()) {
                try {
                    a.close();
                } catch (SQLException | RuntimeException ignored) {
                    // the rollback below discards whatever it managed to flush
                }
            }
            connection.rollback();
            openAppenders();
            store.reloadCaches();
            store.reloadWatermarks();
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "store writer could not recover from a failed transaction", e);
        }
    }

    void shutdown() {
        commits.shutdown(SHUTDOWN_WAIT);
    }

    /**
     * On a healthy store: records a clean shutdown and checkpoints, so the next start replays no WAL. An out of
     * service store writes nothing: its WAL already holds every acknowledged write.
     */
    @Override
    public void finish() {
        if (connection == null || health.failure() != null) {
            return;
        }
        try {
            persistSeriesTimes(true);
            store.putMeta(Schema.CLEAN_SHUTDOWN, 1);
            for (DuckDBAppender a : appenders()) {
                a.close();
            }
            connection.commit();
            if (hasRoomToCheckpoint()) {
                checkpoint();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "store could not record a clean shutdown", e);
        }
    }

    // ---------------------------------------------------------------- appending

    private void applyBatch(WriteBatch b) throws SQLException {
        String tenant = Validation.tenant(b.tenant());
        long ts = b.fromMillis();
        List<SeriesCache.Key> keys = new ArrayList<>();
        for (SeriesRows r : b.series()) {
            keys.add(new SeriesCache.Key(tenant, r.type().name(), r.labels()));
        }
        for (TraceRows r : b.traces()) {
            keys.add(new SeriesCache.Key(tenant, r.type().name(), r.labels()));
        }
        checkSeriesLimit(tenant, keys);
        if (keys.isEmpty()) {
            return;
        }
        StackCache cache = store.stacks();
        StackCache.SourceMapping mapping = cache.new SourceMapping(b.source(), newRows);
        for (SeriesRows r : b.series()) {
            Series s = seriesFor(tenant, r.type(), r.labels(), ts);
            int n = mapRows(mapping, r.stacks(), r.values(), r.count());
            long scale = scaleRows(n);
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum = SaturatedSql.add(sum, rowValues[i]);
            }
            if (n > 0) {
                totals.beginRow().append(s.id).append(ts).append(SaturatedSql.multiply(sum, scale)).endRow();
            }
            for (int i = 0; i < n; i++) {
                samples.beginRow().append(s.id).append(ts).append(rowStacks[i]).append(rowValues[i])
                        .append(scale).endRow();
            }
            // Late rows for already rolled-up buckets go into the rollups too, in the same transaction.
            for (int t = 0; t < rollups.length; t++) {
                if (ts < store.watermarks.get(t)) {
                    long bucket = RangePlan.floor(ts, RangePlan.TIERS.get(t).width());
                    for (int i = 0; i < n; i++) {
                        rollups[t].beginRow().append(s.id).append(bucket).append(rowStacks[i])
                                .append(rowValues[i]).append(scale).endRow();
                    }
                }
            }
        }
        for (TraceRows r : b.traces()) {
            Series s = seriesFor(tenant, r.type(), r.labels(), ts);
            int n = mapRows(mapping, r.stacks(), r.values(), r.count());
            long scale = scaleRows(n);
            for (int i = 0; i < n; i++) {
                traceSamples.beginRow().append(s.id).append(ts).append(r.traceId()).append(r.spanId())
                        .append(rowStacks[i]).append(rowValues[i]).append(scale).endRow();
            }
        }
    }

    private void applyMetrics(String rawTenant, Labels labels, List<MetricPoint> points) throws SQLException {
        String tenant = Validation.tenant(rawTenant);
        Map<String, SeriesCache.Key> keys = new LinkedHashMap<>();
        for (MetricPoint p : points) {
            Validation.metricName(p.name());
            keys.computeIfAbsent(p.name(), n -> new SeriesCache.Key(tenant, SeriesCache.METRIC_PREFIX + n, labels));
        }
        checkSeriesLimit(tenant, new ArrayList<>(keys.values()));
        for (MetricPoint p : points) {
            Series s = seriesFor(tenant, new TypeName(SeriesCache.METRIC_PREFIX + p.name(), ""), labels,
                    p.timestampMillis());
            metrics.beginRow().append(s.id).append(p.timestampMillis()).append(p.name()).append(p.value()).endRow();
        }
    }

    private void checkSeriesLimit(String tenant, List<SeriesCache.Key> keys) {
        SeriesCache cache = store.series();
        Set<SeriesCache.Key> fresh = new HashSet<>();
        for (SeriesCache.Key k : keys) {
            if (cache.get(k) == null) {
                fresh.add(k);
            }
        }
        int max = config.maxSeriesPerTenant();
        int existing = cache.tenantSize(tenant);
        if (!fresh.isEmpty() && existing + fresh.size() > max) {
            throw new StoreLimitException("maxSeriesPerTenant", max, "tenant '" + tenant + "' has " + existing
                    + " series and this upload adds " + fresh.size() + ": over the limit maxSeriesPerTenant="
                    + max + " (reduce label cardinality, e.g. drop per-request labels)");
        }
    }

    private Series seriesFor(String tenant, TypeName type, Labels labels, long ts) throws SQLException {
        SeriesCache cache = store.series();
        SeriesCache.Key key = new SeriesCache.Key(tenant, type.name(), labels);
        Series s = cache.get(key);
        if (s == null) {
            int id = cache.nextId();
            s = cache.add(id, tenant, type.name(), type.unit(), labels, ts, ts);
            String service = labels.get(Labels.SERVICE);
            series.beginRow().append(id).append(tenant).append(type.name()).append(type.unit())
                    .append(labels.toString()).append(service == null ? "" : service).append(labels.fingerprint())
                    .append(ts).append(ts).endRow();
            return s;
        }
        if (ts < s.firstMs) {
            s.firstMs = ts;
            touched.add(s);
        }
        if (ts > s.lastMs) {
            s.lastMs = ts;
            touched.add(s);
        }
        return s;
    }

    private Series seriesFor(String tenant, ProfileType type, Labels labels, long ts) throws SQLException {
        return seriesFor(tenant, new TypeName(type.name(), type.unit()), labels, ts);
    }

    private record TypeName(String name, String unit) {
    }

    private final StackCache.NewRows newRows = new StackCache.NewRows() {
        @Override
        public void frame(int localId, long hash, Frame frame) {
            try {
                frames.beginRow().append(localId).append(hash).append(frame.name()).append(frame.file()).endRow();
            } catch (SQLException e) {
                throw new StoreException("cannot append a frame: " + e.getMessage(), e);
            }
        }

        @Override
        public void stack(int localId, long hash, int parent, int frame) {
            try {
                stacks.beginRow().append(localId).append(hash).append(parent).append(frame).endRow();
            } catch (SQLException e) {
                throw new StoreException("cannot append a stack: " + e.getMessage(), e);
            }
        }
    };

    /**
     * Maps one series' rows to local stack ids into {@code rowStacks}/{@code rowValues}, sorted by stack id with
     * duplicates summed and zeros dropped: sorted ids delta-compress, and two source stacks that differ only in
     * line numbers are one stored stack. Returns the row count.
     */
    private int mapRows(StackCache.SourceMapping mapping, int[] stackIndexes, long[] values, int count) {
        if (packed.length < count) {
            int capacity = Math.max(count, packed.length * 2);
            packed = new long[capacity];
            rowStacks = new int[capacity];
            rowValues = new long[capacity];
        }
        int m = 0;
        for (int i = 0; i < count; i++) {
            if (values[i] == 0 || stackIndexes[i] == 0) {
                continue;
            }
            int local = mapping.localStack(stackIndexes[i]);
            packed[m++] = ((long) local << 32) | i;
        }
        Arrays.sort(packed, 0, m);
        int n = 0;
        for (int j = 0; j < m; j++) {
            int local = (int) (packed[j] >>> 32);
            long v = values[(int) packed[j]];
            if (n > 0 && rowStacks[n - 1] == local) {
                rowValues[n - 1] = SaturatedSql.add(rowValues[n - 1], v);
            } else {
                rowStacks[n] = local;
                rowValues[n++] = v;
            }
        }
        return n;
    }

    /** Divides the rows' values by their greatest common divisor and returns it (see {@link Schema}). */
    private long scaleRows(int n) {
        long g = 0;
        for (int i = 0; i < n && g != 1; i++) {
            g = gcd(g, Math.abs(rowValues[i]));
        }
        if (g <= 1) {
            return 1;
        }
        for (int i = 0; i < n; i++) {
            rowValues[i] /= g;
        }
        return g;
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /**
     * Stores series first/last timestamps that moved. The last one is stored lazily (when it moved more than the
     * slack) so a steady series costs one UPDATE per few minutes, not one per upload; {@code all} stores every
     * change (clean shutdown).
     */
    private void persistSeriesTimes(boolean all) throws SQLException {
        List<Series> dirty = new ArrayList<>();
        for (Series s : all ? store.series().all() : touched) {
            boolean firstMoved = s.firstMs < s.storedFirstMs;
            boolean lastMoved = all ? s.lastMs != s.storedLastMs
                    : s.lastMs > s.storedLastMs + DuckDbProfileStore.LAST_SEEN_PERSIST_SLACK_MS;
            if (firstMoved || lastMoved) {
                dirty.add(s);
            }
        }
        touched.clear();
        if (dirty.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE series SET first_ms = ?, last_ms = ? WHERE series_id = ?")) {
            for (Series s : dirty) {
                long first = s.firstMs;
                long last = s.lastMs;
                ps.setLong(1, first);
                ps.setLong(2, last);
                ps.setInt(3, s.id);
                ps.executeUpdate();
                s.storedFirstMs = first;
                s.storedLastMs = last;
            }
        }
    }

    // ---------------------------------------------------------------- rollups

    /**
     * Rolls raw rows of completed minutes into samples_1m, completed 10 minutes of those into samples_10m, and
     * completed hours of those into samples_1h, at most {@code maxSteps} chunks per level unless no write is waiting. Each chunk inserts its rows and moves the
     * watermark in one transaction, so a crash leaves either both or neither: the job is idempotent.
     */
    void rollUp(long maxSteps) throws SQLException {
        long target = RangePlan.floor(config.clock().millis() - config.rollupDelay().toMillis(), RangePlan.MINUTE);
        for (int t = 0; t < RangePlan.TIERS.size(); t++) {
            RangePlan.Tier tier = RangePlan.TIERS.get(t);
            long tierTarget = t == 0 ? target : RangePlan.floor(store.watermarks.get(t - 1), tier.width());
            long steps = 0;
            while (store.watermarks.get(t) < tierTarget && (steps < maxSteps || !commits.hasWaiting())) {
                long next = rollChunk(tier.source(), tier.table(), tier.width(), store.watermarks.get(t), tierTarget,
                        tier.chunk());
                store.putMeta(tier.watermarkKey(), next);
                connection.commit();
                store.watermarks.set(t, next);
                steps++;
            }
        }
    }

    /** Rolls [first data at or after wm, +chunk) capped at target; returns the new watermark. */
    private long rollChunk(String from, String to, long width, long wm, long target, long chunk) throws SQLException {
        Long first = null;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT min(ts) FROM " + from + " WHERE ts >= ? AND ts < ?")) {
            ps.setLong(1, wm);
            ps.setLong(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long v = rs.getLong(1);
                    first = rs.wasNull() ? null : v;
                }
            }
        }
        if (first == null) {
            return target;
        }
        long start = Math.max(wm, RangePlan.floor(first, width));
        long end = Math.min(target, start + chunk);
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + to
                + " SELECT series_id, (ts // " + width + ") * " + width + " AS bucket, stack_id, " + SaturatedSql.sum("value") + ","
                + " scale FROM " + from + " WHERE ts >= ? AND ts < ? GROUP BY series_id, bucket, stack_id, scale"
                + " ORDER BY series_id, bucket, scale, stack_id")) {
            ps.setLong(1, start);
            ps.setLong(2, end);
            ps.executeUpdate();
        }
        return end;
    }

    // ---------------------------------------------------------------- retention

    /** Applies the configured retention of every type present, and of metrics. */
    long applyRetention() throws SQLException {
        long now = config.clock().millis();
        Set<String> types = new HashSet<>();
        for (Series s : store.series().all()) {
            if (!s.isMetric()) {
                types.add(s.type);
            }
        }
        long removed = 0;
        for (String type : types) {
            removed += deleteBefore(type, now - config.retention(type).toMillis());
        }
        removed += deleteMetricsBefore(now - config.retention(DuckDbConfig.METRICS_RETENTION_KEY).toMillis());
        return removed;
    }

    /**
     * Deletes rows of one type (null: every type and metrics) in whole hours before the cutoff: the cutoff is rounded
     * down to the hour so raw rows and hourly rollups always cover the same time. Series with nothing left are
     * dropped, which frees room under the series limit.
     */
    long deleteBefore(String type, long cutoffMillis) throws SQLException {
        long cut = RangePlan.floor(cutoffMillis, RangePlan.HOUR);
        String filter = type == null ? "" : " AND series_id IN (SELECT series_id FROM series WHERE type = ?)";
        long removed = 0;
        for (String table : List.of("samples", "samples_1m", "samples_10m", "samples_1h", "trace_samples",
                "totals")) {
            try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + table + " WHERE ts < ?" + filter)) {
                ps.setLong(1, cut);
                if (type != null) {
                    ps.setString(2, type);
                }
                removed += ps.executeUpdate();
            }
        }
        if (type == null) {
            removed += deleteMetricsBefore(cutoffMillis);
        }
        dropEmptySeries(type == null ? null : s -> s.type.equals(type), cut);
        return removed;
    }

    private long deleteMetricsBefore(long cutoffMillis) throws SQLException {
        long cut = RangePlan.floor(cutoffMillis, RangePlan.HOUR);
        long removed;
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM metrics WHERE ts < ?")) {
            ps.setLong(1, cut);
            removed = ps.executeUpdate();
        }
        dropEmptySeries(Series::isMetric, cut);
        return removed;
    }

    private void dropEmptySeries(java.util.function.Predicate<Series> which, long cut) throws SQLException {
        List<Series> gone = new ArrayList<>();
        for (Series s : store.series().all()) {
            if ((which == null || which.test(s)) && s.lastMs < cut) {
                gone.add(s);
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM series WHERE series_id = ?")) {
            for (Series s : gone) {
                ps.setInt(1, s.id);
                ps.executeUpdate();
            }
        }
        store.series().removeAll(gone);
    }
}
