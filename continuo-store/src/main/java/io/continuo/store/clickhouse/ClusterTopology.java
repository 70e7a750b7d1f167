package io.continuo.store.clickhouse;

import io.continuo.store.StoreException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster as {@code system.clusters} describes it: which shard a series lives on (the same arithmetic as the
 * Distributed tables' sharding key {@link #SHARDING_EXPRESSION}), and which shards have no replica accepting
 * connections right now ({@link #probe}), so answers missing them can say they are partial.
 */
final class ClusterTopology {
    /** Non-negative, so ClickHouse and Java agree on the remainder whatever the integer conversion. */
    static final String SHARDING_EXPRESSION = "bitAnd(%s, 9223372036854775807)";
    private static final int PROBE_TIMEOUT_MS = 500;

    record Replica(String host, int port) {
    }

    /** One shard: its number in the cluster, its weight and its replicas. */
    record Shard(int number, int weight, List<Replica> replicas) {
    }

    private final List<Shard> shards;
    /** Slot (key modulo the total weight) to shard index, as Distributed assigns them. */
    private final int[] slots;
    private volatile List<Integer> down = List.of();

    ClusterTopology(List<Shard> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one shard");
        }
        this.shards = List.copyOf(shards);
        int total = 0;
        for (Shard s : shards) {
            total += s.weight();
        }
        this.slots = new int[total];
        int slot = 0;
        for (int i = 0; i < shards.size(); i++) {
            for (int w = 0; w < shards.get(i).weight(); w++) {
                slots[slot++] = i;
            }
        }
    }

    /** Reads the cluster's shards and replicas from the node answering. */
    static ClusterTopology load(ClickHouseHttp http, String cluster) {
        RowBinaryInput in = http.querySystem("SELECT toInt64(shard_num), toInt64(shard_weight), host_address, "
                + "toInt64(port) FROM system.clusters WHERE cluster = " + SqlLiterals.quote(cluster)
                + " ORDER BY shard_num, replica_num FORMAT RowBinary");
        List<Shard> shards = new ArrayList<>();
        while (in.hasMore()) {
            int number = (int) in.int64();
            int weight = (int) in.int64();
            Replica r = new Replica(in.string(), (int) in.int64());
            if (shards.isEmpty() || shards.get(shards.size() - 1).number() != number) {
                shards.add(new Shard(number, weight, new ArrayList<>()));
            }
            shards.get(shards.size() - 1).replicas().add(r);
        }
        if (shards.isEmpty()) {
            throw new StoreException("ClickHouse has no cluster named '" + cluster + "' (see remote_servers in its "
                    + "config; SELECT DISTINCT cluster FROM system.clusters lists the known ones)");
        }
        return new ClusterTopology(shards);
    }

    int shardCount() {
        return shards.size();
    }

    /** Index (0-based, in shard_num order) of the shard holding a series. */
    int shardOf(long seriesId) {
        return slots[(int) ((seriesId & Long.MAX_VALUE) % slots.length)];
    }

    /** Shard numbers found without a reachable replica at the last probe. */
    List<Integer> down() {
        return down;
    }

    /** Tries a TCP connection to each shard's replicas (their native port) until one accepts. */
    void probe() {
        List<Integer> now = new ArrayList<>();
        for (Shard s : shards) {
            boolean reachable = false;
            for (Replica r : s.replicas()) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(r.host(), r.port()), PROBE_TIMEOUT_MS);
                    reachable = true;
                    break;
                } catch (IOException unreachable) {
                    // try the next replica
                }
            }
            if (!reachable) {
                now.add(s.number());
            }
        }
        down = List.copyOf(now);
    }
}
