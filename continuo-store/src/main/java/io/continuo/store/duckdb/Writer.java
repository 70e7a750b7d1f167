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
 * What the one thread that writes to DuckDB does ({@link GroupCommit} runs it): appends a drained group of uploads in
 * one transaction and commits once, so a caller returns only once its rows are in the WAL; between groups it runs
 * {@link Rollups} and {@link Retention} and checkpoints. Running everything on one thread means the caches need no
 * write locks and the rollup watermarks cannot race late writes.
 * <p>
 * It also owns the store's availability: a fatal error (full disk, I/O error, invalidated instance) takes the store
 * out of service and reopens the {@link Database} from its files; while out of service it refuses writes and probes
 * once a second until it can commit again. The queue's bounds and answers are {@link GroupCommit}'s.
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

    private final DuckDbConfig config;
    private final Database db;
    private final Rollups rollups;
    private final Retention retention;
    /** The current database (replaced by a reopen); null while it cannot be opened. */
    private DuckDBConnection connection;
    private final GroupCommit<Op> commits;
    private long nextMaintenance;
    private long nextRetention;
    private long lastProbe = System.nanoTime() - PROBE_INTERVAL.toNanos();
    private final HealthTracker health;

    /** Appenders of the current connection (null while there is none). */
    private Appenders out;

    /** Series whose first/last timestamps moved in the current transaction. */
    private final Set<Series> touched = new HashSet<>();
    /** One series' rows of the upload being appended, reused (no allocation per upload in steady state). */
    private final UploadRows rows = new UploadRows();

    Writer(DuckDbConfig config, Database db, HealthTracker health) throws SQLException {
        this.config = config;
        this.db = db;
        this.health = health;
        this.rollups = new Rollups(config, db);
        this.retention = new Retention(config, db);
        attach(db.connection());
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
        out = new Appenders(connection);
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
        boolean withRetention = now >= nextRetention;
        nextMaintenance = now + config.maintenanceInterval().toMillis();
        if (withRetention) {
            nextRetention = now + RETENTION_INTERVAL_MS;
        }
        maintain(withRetention);
    }

    private void maintain(boolean withRetention) {
        try {
            begin();
            rollups.rollUp(1, commits::hasWaiting);
            connection.commit();
            if (withRetention) {
                retention.apply();
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
        if (out != null) {
            out.closeQuietly(); // the instance is thrown away, its uncommitted rows with it
            out = null;
        }
        reattach();
    }

    private void reattach() {
        try {
            attach(db.reopen());
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
            db.putMeta(Schema.LAST_PROBE, config.clock().millis());
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
            out.flush();
            persistSeriesTimes(false);
            db.stacks().publish();
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
            out.closeQuietly(); // the rollback below discards whatever they managed to flush
            connection.rollback();
            openAppenders();
            db.reloadAfterRollback();
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "store writer could not recover from a failed transaction", e);
        }
    }

    void shutdown() {
        commits.shutdown(SHUTDOWN_WAIT);
    }

    /** Non-null while the writer has been stuck in one commit for longer than callers wait. */
    String stuckMessage() {
        return commits.stuckMessage();
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
            db.putMeta(Schema.CLEAN_SHUTDOWN, 1);
            out.close();
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
        StackCache cache = db.stacks();
        StackCache.SourceMapping mapping = cache.new SourceMapping(b.source(), newRows);
        for (SeriesRows r : b.series()) {
            Series s = seriesFor(tenant, r.type(), r.labels(), ts);
            int n = rows.map(mapping, r.stacks(), r.values(), r.count());
            long scale = rows.scale(n);
            long sum = rows.sum(n);
            if (n > 0) {
                out.totals.beginRow().append(s.id).append(ts).append(SaturatedSql.multiply(sum, scale)).endRow();
            }
            for (int i = 0; i < n; i++) {
                out.samples.beginRow().append(s.id).append(ts).append(rows.stack(i)).append(rows.value(i))
                        .append(scale).endRow();
            }
            // Late rows for already rolled-up buckets go into the rollups too, in the same transaction.
            for (int t = 0; t < out.rollups.length; t++) {
                if (ts < db.watermarks().get(t)) {
                    long bucket = Tiers.floor(ts, Tiers.ALL.get(t).width());
                    for (int i = 0; i < n; i++) {
                        out.rollups[t].beginRow().append(s.id).append(bucket).append(rows.stack(i))
                                .append(rows.value(i)).append(scale).endRow();
                    }
                }
            }
        }
        for (TraceRows r : b.traces()) {
            Series s = seriesFor(tenant, r.type(), r.labels(), ts);
            int n = rows.map(mapping, r.stacks(), r.values(), r.count());
            long scale = rows.scale(n);
            for (int i = 0; i < n; i++) {
                out.traceSamples.beginRow().append(s.id).append(ts).append(r.traceId()).append(r.spanId())
                        .append(rows.stack(i)).append(rows.value(i)).append(scale).endRow();
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
            out.metrics.beginRow().append(s.id).append(p.timestampMillis()).append(p.name()).append(p.value()).endRow();
        }
    }

    private void checkSeriesLimit(String tenant, List<SeriesCache.Key> keys) {
        SeriesCache cache = db.series();
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
        SeriesCache cache = db.series();
        SeriesCache.Key key = new SeriesCache.Key(tenant, type.name(), labels);
        Series s = cache.get(key);
        if (s == null) {
            int id = cache.nextId();
            s = cache.add(id, tenant, type.name(), type.unit(), labels, ts, ts);
            String service = labels.get(Labels.SERVICE);
            out.series.beginRow().append(id).append(tenant).append(type.name()).append(type.unit())
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
                out.frames.beginRow().append(localId).append(hash).append(frame.name()).append(frame.file()).endRow();
            } catch (SQLException e) {
                throw new StoreException("cannot append a frame: " + e.getMessage(), e);
            }
        }

        @Override
        public void stack(int localId, long hash, int parent, int frame) {
            try {
                out.stacks.beginRow().append(localId).append(hash).append(parent).append(frame).endRow();
            } catch (SQLException e) {
                throw new StoreException("cannot append a stack: " + e.getMessage(), e);
            }
        }
    };

    /**
     * Stores series first/last timestamps that moved. The last one is stored lazily (when it moved more than the
     * slack) so a steady series costs one UPDATE per few minutes, not one per upload; {@code all} stores every
     * change (clean shutdown).
     */
    private void persistSeriesTimes(boolean all) throws SQLException {
        List<Series> dirty = new ArrayList<>();
        for (Series s : all ? db.series().all() : touched) {
            boolean firstMoved = s.firstMs < s.storedFirstMs;
            boolean lastMoved = all ? s.lastMs != s.storedLastMs
                    : s.lastMs > s.storedLastMs + Database.LAST_SEEN_PERSIST_SLACK_MS;
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

    // ---------------------------------------------------------------- maintenance (writer thread, via call())

    /** Rolls up everything due, to completion. */
    void rollUpAll() throws SQLException {
        rollups.rollUp(Long.MAX_VALUE, commits::hasWaiting);
    }

    long applyRetention() throws SQLException {
        return retention.apply();
    }

    long deleteBefore(String type, long cutoffMillis) throws SQLException {
        return retention.deleteBefore(type, cutoffMillis);
    }
}
