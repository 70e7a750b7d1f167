package io.continuo.store.clickhouse;

import io.continuo.store.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Writes uploads to a cluster, each as its own deterministic blocks ({@link ClusterEncoder}), several uploads at once.
 * Why not one INSERT per group as on a single server: a group's block mixes uploads, so a retried upload would land
 * in a different block and deduplication could not recognise it; per-upload blocks make every retry (ours after a
 * failover, or the client's after a 503) an exact repeat. An upload is answered once all its blocks are on their
 * shards (inserted into the local Replicated tables of the shard each series lives on, through that shard's
 * replicas); if any block fails it gets the error and nothing it sent needs undoing,
 * since its retry completes it without doubling.
 */
final class ClusterWriter {
    /** Uploads in flight at once: inserts wait on replication round trips more than on CPU. */
    static final int PARALLELISM = 8;

    /** What the caller learns about one upload. */
    interface Outcome {
        void done(int index, ClusterEncoder encoder, Throwable failure);
    }

    private final StackDictionary dictionary;
    private final ShardMarks marks;
    private final ClusterTopology topology;
    private final ExecutorService pool;

    ClusterWriter(StackDictionary dictionary, ClusterTopology topology, int maxCachedStacks) {
        this.dictionary = dictionary;
        this.topology = topology;
        this.marks = new ShardMarks(topology.shardCount(), maxCachedStacks);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
            Thread t = new Thread(r, "continuo-clickhouse-insert-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Encodes and sends each upload; returns once every upload is answered through {@code outcome}. */
    void writeAll(List<Consumer<ClusterEncoder>> uploads, Outcome outcome) {
        List<CompletableFuture<Void>> running = new ArrayList<>(uploads.size());
        for (int i = 0; i < uploads.size(); i++) {
            int index = i;
            Consumer<ClusterEncoder> fill = uploads.get(i);
            running.add(CompletableFuture.runAsync(() -> {
                ClusterEncoder encoder = new ClusterEncoder(dictionary, marks, topology);
                try {
                    write(fill, encoder);
                } catch (Throwable e) {
                    outcome.done(index, encoder, e);
                    return;
                }
                outcome.done(index, encoder, null);
            }, pool));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    }

    private void write(Consumer<ClusterEncoder> fill, ClusterEncoder encoder) {
        try {
            fill.accept(encoder);
        } catch (RuntimeException e) {
            throw new StoreException("write failed, nothing of this batch was stored: " + e.getMessage(), e);
        }
        int shard = 0;
        try {
            for (; shard < encoder.shardCount(); shard++) {
                for (ClusterEncoder.Table t : ClusterEncoder.Table.values()) {
                    RowBinaryOutput rows = encoder.rows(shard, t);
                    if (rows != null) {
                        topology.shard(shard).insert(t.name + ClusterSchema.LOCAL_SUFFIX, t.columns, rows);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new StoreException("write to shard " + topology.shardNumber(shard) + " of the ClickHouse cluster "
                    + "failed; part of this upload may be stored, and sending it again completes it without doubling "
                    + "it: " + e.getMessage(), e);
        }
        encoder.stored();
    }

    void shutdown() {
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
