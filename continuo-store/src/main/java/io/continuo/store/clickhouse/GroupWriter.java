package io.continuo.store.clickhouse;

import io.continuo.model.Labels;
import io.continuo.store.MetricPoint;
import io.continuo.store.SeriesRows;
import io.continuo.store.StoreException;
import io.continuo.store.StoreLimitException;
import io.continuo.store.TraceRows;
import io.continuo.store.Validation;
import io.continuo.store.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends uploads to ClickHouse in groups: callers enqueue and wait; one thread drains up to {@code maxGroupCommit}
 * uploads and sends one INSERT per table for all of them, then completes the futures, so a caller returns only once
 * ClickHouse acknowledged its rows. Few, larger inserts are what MergeTree wants (each INSERT makes a part).
 * <p>
 * Dictionary rows (frames, stacks, series) go first and samples last, so a reader never sees samples whose stacks it
 * cannot resolve. The queue is bounded: when ClickHouse is slower than the uploads, {@code write} blocks the caller.
 */
final class GroupWriter implements Runnable {
    private static final System.Logger LOG = System.getLogger(GroupWriter.class.getName());
    private static final int QUEUE_CAPACITY = 1024;
    /** How long a series is trusted to have its row without asking ClickHouse again (retention may remove it). */
    static final long KNOWN_SERIES_TTL_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final ClickHouseConfig config;
    private final ClickHouseHttp http;
    private final StackDictionary dictionary;
    private final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean stopping;
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
        this.thread = new Thread(this, "continuo-clickhouse-writer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private abstract static class Task {
        final CompletableFuture<Object> done = new CompletableFuture<>();
    }

    private static final class BatchTask extends Task {
        final WriteBatch batch;

        BatchTask(WriteBatch batch) {
            this.batch = batch;
        }
    }

    private static final class MetricsTask extends Task {
        final String tenant;
        final Labels labels;
        final List<MetricPoint> points;

        MetricsTask(String tenant, Labels labels, List<MetricPoint> points) {
            this.tenant = tenant;
            this.labels = labels;
            this.points = points;
        }
    }

    private static final class Poison extends Task {
    }

    void submitWrite(WriteBatch batch) {
        Validation.check(batch);
        await(enqueue(new BatchTask(batch)));
    }

    void submitMetrics(String tenant, Labels labels, List<MetricPoint> points) {
        Validation.tenant(tenant);
        for (MetricPoint p : points) {
            Validation.metricName(p.name());
        }
        await(enqueue(new MetricsTask(tenant, labels, points)));
    }

    /** Forgets which series rows exist (after retention may have removed some). */
    void forgetSeries() {
        knownSeries.clear();
    }

    private Task enqueue(Task task) {
        if (stopping) {
            throw new StoreException("store is closed");
        }
        try {
            queue.put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for room in the write queue");
        }
        return task;
    }

    private static Object await(Task task) {
        try {
            return task.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for ClickHouse to acknowledge the write");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException(String.valueOf(e.getCause().getMessage()), e.getCause());
        }
    }

    @Override
    public void run() {
        List<Task> group = new ArrayList<>(config.maxGroupCommit());
        boolean stop = false;
        while (!stop) {
            try {
                Task first = queue.take();
                group.clear();
                group.add(first);
                queue.drainTo(group, config.maxGroupCommit() - 1);
                stop = process(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = true;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "ClickHouse writer loop failed; continuing", e);
            }
        }
        List<Task> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.forEach(t -> t.done.completeExceptionally(new StoreException("store is closed")));
    }

    /** Commits a drained group; returns true when the poison pill was among it (the tasks before it still commit). */
    private boolean process(List<Task> group) {
        List<Task> writes = new ArrayList<>(group.size());
        boolean stop = false;
        for (Task t : group) {
            if (t instanceof Poison) {
                stop = true;
                t.done.complete(null);
            } else if (stop) {
                t.done.completeExceptionally(new StoreException("store is closed"));
            } else {
                writes.add(t);
            }
        }
        commit(writes);
        return stop;
    }

    private void commit(List<Task> writes) {
        if (writes.isEmpty()) {
            return;
        }
        // First every limit check, then encoding: a refused upload contributes no row to the shared buffers.
        List<Task> accepted = new ArrayList<>(writes.size());
        Map<String, Long> tenantCounts = new HashMap<>();
        Set<Long> creating = new HashSet<>();
        for (Task t : writes) {
            try {
                String tenant = Validation.tenant(t instanceof BatchTask b ? b.batch.tenant() : ((MetricsTask) t).tenant);
                checkSeriesLimit(tenant, seriesIds(tenant, t), creating, tenantCounts);
                accepted.add(t);
            } catch (RuntimeException e) {
                // Refused (limit, bad input) or not checkable (ClickHouse down): the rest of the group still goes.
                t.done.completeExceptionally(e);
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
            for (Task t : accepted) {
                if (t instanceof BatchTask b) {
                    encoder.batch(Validation.tenant(b.batch.tenant()), b.batch, this::isKnown);
                } else {
                    MetricsTask m = (MetricsTask) t;
                    encoder.metrics(Validation.tenant(m.tenant), m.labels, m.points, this::isKnown);
                }
            }
        } catch (RuntimeException e) {
            StoreException failure = new StoreException("write failed, nothing of this batch was stored: "
                    + e.getMessage(), e);
            accepted.forEach(t -> t.done.completeExceptionally(failure));
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
            StoreException failure = new StoreException("write to ClickHouse failed (rows of this batch sent "
                    + "before the failure may be stored): " + e.getMessage(), e);
            accepted.forEach(t -> t.done.completeExceptionally(failure));
            return;
        }
        encoder.newFrames.forEach(dictionary::markFrame);
        encoder.newStacks.forEach(dictionary::markStored);
        long until = System.nanoTime() + KNOWN_SERIES_TTL_NANOS;
        encoder.newSeries.keySet().forEach(id -> knownSeries.put(id, until));
        accepted.forEach(t -> t.done.complete(null));
    }

    private void commitToCluster(List<Task> accepted) {
        List<java.util.function.Consumer<ClusterEncoder>> uploads = new ArrayList<>(accepted.size());
        for (Task t : accepted) {
            uploads.add(encoder -> {
                if (t instanceof BatchTask b) {
                    encoder.batch(Validation.tenant(b.batch.tenant()), b.batch, this::isKnown);
                } else {
                    MetricsTask m = (MetricsTask) t;
                    encoder.metrics(Validation.tenant(m.tenant), m.labels, m.points, this::isKnown);
                }
            });
        }
        cluster.writeAll(uploads, (i, encoder, failure) -> {
            Task t = accepted.get(i);
            if (failure != null) {
                t.done.completeExceptionally(failure);
                return;
            }
            long until = System.nanoTime() + KNOWN_SERIES_TTL_NANOS;
            encoder.newSeries.forEach(id -> knownSeries.put(id, until));
            t.done.complete(null);
        });
    }

    private boolean isKnown(long seriesId) {
        Long until = knownSeries.get(seriesId);
        return until != null && until - System.nanoTime() > 0;
    }

    private static Set<Long> seriesIds(String tenant, Task t) {
        Set<Long> ids = new LinkedHashSet<>();
        if (t instanceof MetricsTask m) {
            for (MetricPoint p : m.points) {
                ids.add(SeriesIndex.seriesId(tenant, SeriesIndex.METRIC_PREFIX + p.name(), m.labels));
            }
            return ids;
        }
        WriteBatch b = ((BatchTask) t).batch;
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
        stopping = true;
        try {
            queue.put(new Poison());
            thread.join(TimeUnit.SECONDS.toMillis(config.queryTimeout().toSeconds() * 8 + 10));
            if (cluster != null) {
                cluster.shutdown();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
