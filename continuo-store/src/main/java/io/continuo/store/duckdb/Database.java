package io.continuo.store.duckdb;

import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.QueryDeadline;
import io.continuo.store.StoreException;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreUnavailableException;
import org.duckdb.DuckDBConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open DuckDB file and what is loaded from it: the writer's connection, a pool of reader connections, the stack
 * and series caches and the rollup watermarks. The store's queries and the {@link Writer} share it through this API
 * only. After a fatal I/O error the writer {@link #reopen}s it: every connection is closed and the file opened again,
 * so DuckDB replays its WAL and the caches are rebuilt from what is really stored.
 */
final class Database {
    private static final System.Logger LOG = System.getLogger(Database.class.getName());
    /** After an unclean shutdown, series end times may lag by up to this much (they are persisted lazily). */
    static final long LAST_SEEN_PERSIST_SLACK_MS = 5 * 60_000L;
    /** A WAL size DuckDB never reaches, i.e. no checkpoint inside a commit (see {@link #open}). */
    private static final String NO_AUTOMATIC_CHECKPOINT = "1TB";
    private static final long REOPEN_LOCK_WAIT_SECONDS = 30;
    private static final int PERFECT_HASH_BITS = 20;

    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    private final DuckDbConfig config;
    /** Null while the file cannot be opened (the writer keeps trying). */
    private volatile DuckDBConnection connection;
    /**
     * Queries hold the read side while they use a connection of the current instance; a reopen takes the write
     * side, so no query runs on an instance being closed and no second instance of the file is ever open at once.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Connection> readers = new ConcurrentLinkedQueue<>();
    private volatile StackCache stacks;
    private volatile SeriesCache series = new SeriesCache();
    private final Watermarks watermarks = new Watermarks();
    private volatile long lastSeenSlackMs;
    private volatile boolean closed;
    private final boolean openedClean;

    /** Opens (creating when missing) the database file; records whether the last shutdown was clean. */
    Database(DuckDbConfig config) throws SQLException {
        this.config = config;
        Map<String, Long> meta = open();
        this.openedClean = meta.getOrDefault(Schema.CLEAN_SHUTDOWN, 1L) == 1L;
        this.lastSeenSlackMs = openedClean ? 0 : LAST_SEEN_PERSIST_SLACK_MS;
    }

    /**
     * Opens the file (DuckDB replays its WAL) and loads caches and watermarks; returns the meta table. Automatic
     * checkpoints are off: DuckDB would run them inside a commit, where a full disk turned into a failed commit of an
     * invalidated instance. The writer checkpoints itself, only while healthy and with room to spare.
     */
    private Map<String, Long> open() throws SQLException {
        DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + config.databaseFile());
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET memory_limit='" + (config.memoryLimitBytes() >> 20) + "MB'");
                st.execute("SET threads=" + config.threads());
                // Rows of one upload are appended in order; nothing depends on DuckDB keeping that order in results.
                st.execute("SET preserve_insertion_order=false");
                st.execute("SET wal_autocheckpoint='" + NO_AUTOMATIC_CHECKPOINT + "'");
                // Closing must never write the in-memory state of an instance an I/O error may have damaged.
                st.execute("PRAGMA disable_checkpoint_on_shutdown");
            }
            Schema.create(c);
            this.connection = c;
            Map<String, Long> meta = loadMeta();
            watermarks.load(meta);
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

    boolean openedClean() {
        return openedClean;
    }

    /** The writer's connection (writer thread only); null while the file is not open. */
    DuckDBConnection connection() {
        return connection;
    }

    StackCache stacks() {
        return stacks;
    }

    SeriesCache series() {
        return series;
    }

    Watermarks watermarks() {
        return watermarks;
    }

    /** How far series end times may lag what was written (they are persisted lazily). */
    long lastSeenSlackMs() {
        return lastSeenSlackMs;
    }

    /**
     * Closes the instance and opens the file again (writer thread only). After a fatal I/O error DuckDB's in-memory
     * state cannot be trusted (invalidated, or half-applied); the files can: the database file plus a WAL whose
     * failed tail DuckDB truncated. Returns the new connection, or null when the file cannot be opened yet.
     */
    DuckDBConnection reopen() {
        boolean locked = false;
        try {
            locked = lock.writeLock().tryLock(REOPEN_LOCK_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.log(System.Logger.Level.WARNING, "queries kept the database busy; reopening it later");
            return null;
        }
        try {
            closeConnections();
            // Series end times in the file may lag what readers saw.
            lastSeenSlackMs = LAST_SEEN_PERSIST_SLACK_MS;
            try {
                open();
                return connection;
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot reopen the database yet: " + e.getMessage());
                return null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- meta and caches

    private Map<String, Long> loadMeta() throws SQLException {
        Map<String, Long> meta = new HashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT key, value FROM meta")) {
            while (rs.next()) {
                meta.put(rs.getString(1), rs.getLong(2));
            }
        }
        return meta;
    }

    /** Sets a meta value in the writer's transaction. */
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

    /**
     * Rebuilds caches and watermarks from the database after a rollback left them ahead of it (writer thread only).
     * Readers holding the old caches finish with them; ids they saw were never committed.
     */
    void reloadAfterRollback() throws SQLException {
        stacks = loadStacks();
        series = loadSeries();
        watermarks.load(loadMeta());
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
        SeriesCache loaded = new SeriesCache();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT series_id, tenant, type, unit, labels, first_ms, last_ms "
                     + "FROM series ORDER BY series_id")) {
            while (rs.next()) {
                Labels labels = parseLabels(rs.getString(5));
                loaded.add(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), labels,
                        rs.getLong(6), rs.getLong(7));
            }
        }
        return loaded;
    }

    static Labels parseLabels(String text) {
        Labels.Builder b = Labels.builder();
        for (LabelMatcher m : Selector.parse(text).matchers()) {
            b.put(m.name(), m.value());
        }
        return b.build();
    }

    // ---------------------------------------------------------------- readers

    /** Runs a query on a pooled reader connection of the current instance. */
    <T> T read(SqlFunction<T> body) {
        if (!lock.readLock().tryLock()) {
            // A reopen holds the database: answer now rather than queue behind it. (Readers may barge past a reopen
            // that waits; it retries a second later, so a busy query load delays a reopen but cannot block it.)
            throw new StoreUnavailableException(StoreFailure.IO_ERROR, "the store is reopening its database; "
                    + "retry shortly", 2);
        }
        try {
            DuckDBConnection db = connection;
            if (db == null) {
                throw new StoreUnavailableException(StoreFailure.IO_ERROR, "the store's database is not open; it is "
                        + "reopened by itself", DuckDbProfileStore.RETRY_AFTER_SECONDS);
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
                if (closed) {
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
            lock.readLock().unlock();
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

    // ---------------------------------------------------------------- closing

    private void closeConnections() {
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

    /** Closes every connection, waiting for running queries (after the writer has stopped). */
    void close() {
        closed = true;
        lock.writeLock().lock();
        try {
            closeConnections();
        } finally {
            lock.writeLock().unlock();
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
