package io.continuo.store.clickhouse;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which stacks and frames this server knows each shard to hold, so it sends a dictionary row to a shard once rather
 * than with every upload. Per shard, because a shard answers its part of a flame graph with its own dictionary rows.
 * Cleared (not tracked entry by entry) when it outgrows its bound: forgetting only re-sends rows, which
 * ReplacingMergeTree absorbs.
 */
final class ShardMarks {
    private final Set<Long>[] stacks;
    private final Set<Long>[] frames;
    private final int maxEntries;

    @SuppressWarnings("unchecked")
    ShardMarks(int shards, int maxEntries) {
        this.stacks = new Set[shards];
        this.frames = new Set[shards];
        for (int i = 0; i < shards; i++) {
            stacks[i] = ConcurrentHashMap.newKeySet();
            frames[i] = ConcurrentHashMap.newKeySet();
        }
        this.maxEntries = Math.max(1, maxEntries / Math.max(1, shards));
    }

    boolean hasStack(int shard, long id) {
        return stacks[shard].contains(id);
    }

    boolean hasFrame(int shard, long id) {
        return frames[shard].contains(id);
    }

    void markStack(int shard, long id) {
        if (stacks[shard].size() >= maxEntries) {
            stacks[shard].clear();
        }
        stacks[shard].add(id);
    }

    void markFrame(int shard, long id) {
        if (frames[shard].size() >= maxEntries) {
            frames[shard].clear();
        }
        frames[shard].add(id);
    }
}
