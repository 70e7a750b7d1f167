package io.continuo.store.clickhouse;

import io.continuo.model.Labels;
import io.continuo.store.MetricPoint;
import io.continuo.store.SeriesRows;
import io.continuo.store.HealthTracker;
import io.continuo.store.StoreException;
import io.continuo.store.StoreFailure;
import io.continuo.store.StoreHealth;
import io.continuo.store.StoreUnavailableException;
import io.continuo.store.StoreLimitException;
import io.continuo.store.TraceRows;
import io.continuo.store.Validation;
import io.continuo.store.WriteBatch;
import io.continuo.store.commit.GroupCommit;

import java.time.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends uploads to ClickHouse in groups: callers enqueue and wait; one thread drains up to {@code maxGroupCommit}
 * uploads and sends one INSERT per table for all of them, then completes the futures, so a caller returns only once
 * ClickHouse acknowledged its rows. Few, larger inserts are what MergeTree wants (each INSERT makes a part).
 * <p>
 * Dictionary rows (frames, stacks, series) go first and samples last, so a reader never sees samples whose stacks it
 * cannot resolve. The queue is {@link GroupCommit}: bounded, with bounded waits, every upload answered.
 */
final class GroupWriter implements GroupCommit.Committer<GroupWriter.Op> {
    private static final int QUEUE_CAPACITY = 1024;
    /** How long a series is trusted to have its row without asking ClickHouse again (retention may remove it). */
    static final long KNOWN_SERIES_TTL_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final ClickHouseConfig config;
    private final ClickHouseHttp http;
    private final StackDictionary dictionary;
    private final GroupCommit<Op> commits;
    private final HealthTracker health = new HealthTracker(java.time.Clock.systemUTC());
    /** Series id -> System.nanoTime() until which its row is known to exist. */
    private final Map<Long, Long> knownSeries = new ConcurrentHashMap<>();

    /** Set on a cluster: uploads go as their own blocks, see {@link ClusterWriter}. */
    private final ClusterWriter cluster;

    GroupWriter(ClickHouseConfig config, ClickHouseHttp http, StackDictionary dictionary) {
        this(config, http, dictionary, null);
    }

    GroupWriter(ClickHouseConfig config, ClickHouseHttp http, StackDictionary dictionary, ClusterWriter cluster) {
        this.cluster = cluster;
        this.config = config;
        this.http = http;
        this.dictionary = dictionary;
        // A group's six INSERTs may each take up to queryTimeout before ClickHouse answers.
        this.commits = new GroupCommit<>(new GroupCommit.Options("continuo-clickhouse-writer", QUEUE_CAPACITY,
                config.maxGroupCommit(), config.queryTimeout().multipliedBy(7), Duration.ofSeconds(5)), this);
    }

    void start() {
        commits.start();
    }

    /** What callers hand the commit thread: an upload or a set of metric points. */
    sealed interface Op permits BatchOp, MetricsOp {
    }

    private record BatchOp(WriteBatch batch) implements Op {
    }

    private record MetricsOp(String tenant, Labels labels, List<MetricPoint> points) implements Op {
    }

    void submitWrite(WriteBatch batch) {
        Validation.check(batch);
        counted(new BatchOp(batch));
    }

    void submitMetrics(String tenant, Labels labels, List<MetricPoint> points) {
        Validation.tenant(tenant);
        for (MetricPoint p : points) {
            Validation.metricName(p.name());
        }
        counted(new MetricsOp(tenant, labels, points));
    }

    /** Submits and counts a failure by reason (a refusal by limit is the client's doing, not a store failure). */
    private void counted(Op op) {
        try {
            commits.submit(op);
        } catch (StoreUnavailableException e) {
            health.countFailure(e.failure());
            throw e;
        } catch (StoreLimitException e) {
            throw e;
        } catch (StoreException e) {
            health.countFailure(StoreFailure.WRITE_FAILED);
            throw e;
        }
    }

    StoreHealth health() {
        return StoreHealth.withStuckWriter(health.snapshot(), commits.stuckMessage());
    }

    /** While the last INSERT failed: ask ClickHouse whether it answers again, to clear /healthz without a write. */
    @Override
    public void idle() {
        if (health.failure() == null) {
            return;
        }
        try {
            http.query("SELECT 1 FORMAT RowBinary");
            health.up();
        } catch (RuntimeException e) {
            health.down(StoreFailure.IO_ERROR, e.getMessage());
        }
    }

    /** Forgets which series rows exist (after retention may have removed some). */
    void forgetSeries() {
        knownSeries.clear();
    }

    @Override
    public void commit(List<GroupCommit.Task<Op>> writes) {
        if (writes.isEmpty()) {
            return;
        }
        // First every limit check, then encoding: a refused upload contributes no row to the shared buffers.
        List<GroupCommit.Task<Op>> accepted = new ArrayList<>(writes.size());
        Map<String, Long> tenantCounts = new HashMap<>();
        Set<Long> creating = new HashSet<>();
        for (GroupCommit.Task<Op> t : writes) {
            try {
                String tenant = Validation.tenant(t.payload() instanceof BatchOp b ? b.batch().tenant() : ((MetricsOp) t.payload()).tenant());
                checkSeriesLimit(tenant, seriesIds(tenant, t.payload()), creating, tenantCounts);
                accepted.add(t);
            } catch (RuntimeException e) {
                // Refused (limit, bad input) or not checkable (ClickHouse down): the rest of the group still goes.
                t.fail(e);
            }
        }
        if (accepted.isEmpty()) {
            return;
        }
        if (cluster != null) {
            commitToCluster(accepted);
            return;
        }
        BatchEncoder encoder = new BatchEncoder(dictionary);
        try {
            for (GroupCommit.Task<Op> t : accepted) {
                if (t.payload() instanceof BatchOp b) {
                    encoder.batch(Validation.tenant(b.batch().tenant()), b.batch(), this::isKnown);
                } else {
                    MetricsOp m = (MetricsOp) t.payload();
                    encoder.metrics(Validation.tenant(m.tenant()), m.labels(), m.points(), this::isKnown);
                }
            }
        } catch (RuntimeException e) {
            StoreException failure = new StoreException("write failed, nothing of this batch was stored: "
                    + e.getMessage(), e);
            accepted.forEach(t -> t.fail(failure));
            return;
        }
        try {
            http.insert("frames", BatchEncoder.FRAME_COLUMNS, encoder.frames);
            http.insert("stacks", BatchEncoder.STACK_COLUMNS, encoder.stacks);
            http.insert("series", BatchEncoder.SERIES_COLUMNS, encoder.series);
            http.insert("metrics", BatchEncoder.METRIC_COLUMNS, encoder.metrics);
            http.insert("trace_samples", BatchEncoder.TRACE_COLUMNS, encoder.traces);
            http.insert("samples", BatchEncoder.SAMPLE_COLUMNS, encoder.samples);
        } catch (RuntimeException e) {
            health.down(StoreFailure.IO_ERROR, "INSERT into ClickHouse failed: " + e.getMessage());
            StoreException failure = new StoreException("write to ClickHouse failed (rows of this batch sent "
                    + "before the failure may be stored): " + e.getMessage(), e);
            accepted.forEach(t -> t.fail(failure));
            return;
        }
        health.up();
        encoder.newFrames.forEach(dictionary::markFrame);
        encoder.newStacks.forEach(dictionary::markStored);
        long until = System.nanoTime() + KNOWN_SERIES_TTL_NANOS;
        encoder.newSeries.keySet().forEach(id -> knownSeries.put(id, until));
        accepted.forEach(t -> t.succeed(null));
    }

    private void commitToCluster(List<GroupCommit.Task<Op>> accepted) {
        List<java.util.function.Consumer<ClusterEncoder>> uploads = new ArrayList<>(accepted.size());
        for (GroupCommit.Task<Op> t : accepted) {
            uploads.add(encoder -> {
                if (t.payload() instanceof BatchOp b) {
                    encoder.batch(Validation.tenant(b.batch().tenant()), b.batch(), this::isKnown);
                } else {
                    MetricsOp m = (MetricsOp) t.payload();
                    encoder.metrics(Validation.tenant(m.tenant()), m.labels(), m.points(), this::isKnown);
                }
            });
        }
        cluster.writeAll(uploads, (i, encoder, failure) -> {
            GroupCommit.Task<Op> t = accepted.get(i);
            if (failure != null) {
                t.fail(failure);
                return;
            }
            long until = System.nanoTime() + KNOWN_SERIES_TTL_NANOS;
            encoder.newSeries.forEach(id -> knownSeries.put(id, until));
            t.succeed(null);
        });
    }

    private boolean isKnown(long seriesId) {
        Long until = knownSeries.get(seriesId);
        return until != null && until - System.nanoTime() > 0;
    }

    private static Set<Long> seriesIds(String tenant, Op op) {
        Set<Long> ids = new LinkedHashSet<>();
        if (op instanceof MetricsOp m) {
            for (MetricPoint p : m.points()) {
                ids.add(SeriesIndex.seriesId(tenant, SeriesIndex.METRIC_PREFIX + p.name(), m.labels()));
            }
            return ids;
        }
        WriteBatch b = ((BatchOp) op).batch();
        for (SeriesRows r : b.series()) {
            ids.add(SeriesIndex.seriesId(tenant, r.type().name(), r.labels()));
        }
        for (TraceRows r : b.traces()) {
            ids.add(SeriesIndex.seriesId(tenant, r.type().name(), r.labels()));
        }
        return ids;
    }

    /**
     * Refuses an upload that would take its tenant over maxSeriesPerTenant. Series this server does not know are
     * looked up in ClickHouse (another server may have created them); the tenant's count is read once per group
     * and {@code creating} holds the series earlier uploads of the group will create.
     */
    private void checkSeriesLimit(String tenant, Set<Long> ids, Set<Long> creating, Map<String, Long> counts) {
        Set<Long> fresh = new HashSet<>();
        for (long id : ids) {
            if (!isKnown(id) && !creating.contains(id)) {
                fresh.add(id);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        StringBuilder list = new StringBuilder();
        for (long id : fresh) {
            list.append(list.length() == 0 ? "" : ",").append(id);
        }
        RowBinaryInput in = http.query("SELECT DISTINCT series_id FROM series WHERE tenant = "
                + SqlLiterals.quote(tenant) + " AND series_id IN (" + list + ") FORMAT RowBinary");
        long until = System.nanoTime() + KNOWN_SERIES_TTL_NANOS;
        while (in.hasMore()) {
            long id = in.int64();
            fresh.remove(id);
            knownSeries.put(id, until);
        }
        if (fresh.isEmpty()) {
            return;
        }
        long existing = counts.computeIfAbsent(tenant, t -> {
            RowBinaryInput c = http.query("SELECT toInt64(uniqExact(series_id)) FROM series WHERE tenant = "
                    + SqlLiterals.quote(t) + " FORMAT RowBinary");
            return c.int64();
        });
        int max = config.maxSeriesPerTenant();
        if (existing + fresh.size() > max) {
            throw new StoreLimitException("maxSeriesPerTenant", max, "tenant '" + tenant + "' has " + existing
                    + " series and this upload adds " + fresh.size() + ": over the limit maxSeriesPerTenant="
                    + max + " (reduce label cardinality, e.g. drop per-request labels)");
        }
        counts.put(tenant, existing + fresh.size());
        creating.addAll(fresh);
    }

    void shutdown() {
        commits.shutdown(Duration.ofSeconds(config.queryTimeout().toSeconds() * 8 + 10));
        if (cluster != null) {
            cluster.shutdown();
        }
    }
}
