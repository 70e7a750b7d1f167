package io.continuo.store.clickhouse;

import io.continuo.store.StoreException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster as {@code system.clusters} describes it: which shard a series lives on (the same arithmetic as the
 * Distributed tables' sharding key {@link #SHARDING_EXPRESSION}), which of the configured endpoints are replicas of
 * which shard (each endpoint says which cluster entry is itself: {@code is_local}), and which shards have no replica
 * accepting connections right now ({@link #probe}), so answers missing them can say they are partial.
 * <p>
 * Uploads are inserted into the local tables of their shard through that shard's endpoints, not through a
 * Distributed table: an 18.16 Distributed INSERT with {@code insert_distributed_sync=1} connects to every shard,
 * even those its rows skip, so one dead shard would stop all ingest.
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
    private final ClickHouseConfig config;
    /** Per shard index: a client over the configured endpoints that are its replicas, or null while none is known. */
    private final ClickHouseHttp[] shardHttp;
    private final List<List<java.net.URI>> shardUrls = new ArrayList<>();
    /** Configured endpoints whose shard is not known yet (down when last asked). */
    private final List<java.net.URI> unresolved = new ArrayList<>();
    /** Slot (key modulo the total weight) to shard index, as Distributed assigns them. */
    private final int[] slots;
    private volatile List<Integer> down = List.of();

    ClusterTopology(ClickHouseConfig config, List<Shard> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one shard");
        }
        this.config = config;
        this.shards = List.copyOf(shards);
        this.shardHttp = new ClickHouseHttp[shards.size()];
        for (int i = 0; i < shards.size(); i++) {
            shardUrls.add(new ArrayList<>());
        }
        unresolved.addAll(config.urls());
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
    static ClusterTopology load(ClickHouseConfig config, ClickHouseHttp http) {
        String cluster = config.cluster();
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
        ClusterTopology t = new ClusterTopology(config, shards);
        t.resolve();
        return t;
    }

    /** Asks each endpoint whose shard is unknown which shard it serves; endpoints that do not answer stay unknown. */
    synchronized void resolve() {
        for (java.util.Iterator<java.net.URI> it = unresolved.iterator(); it.hasNext(); ) {
            java.net.URI url = it.next();
            ClickHouseHttp one = new ClickHouseHttp(config, new Endpoints(List.of(url)));
            int number;
            try {
                RowBinaryInput in = one.querySystem("SELECT toInt64(shard_num) FROM system.clusters WHERE cluster = "
                        + SqlLiterals.quote(config.cluster()) + " AND is_local FORMAT RowBinary");
                number = in.hasMore() ? (int) in.int64() : -1;
            } catch (StoreException down) {
                continue;
            }
            it.remove();
            for (int i = 0; i < shards.size(); i++) {
                if (shards.get(i).number() == number) {
                    shardUrls.get(i).add(url);
                    shardHttp[i] = new ClickHouseHttp(config, new Endpoints(shardUrls.get(i)));
                }
            }
            // An endpoint outside the cluster (a proxy, a query-only node) serves reads only.
        }
    }

    /**
     * The client that inserts into one shard's local tables, failing over among its replicas.
     *
     * @throws StoreException when no configured endpoint is known to be a replica of the shard
     */
    ClickHouseHttp shard(int index) {
        ClickHouseHttp h = shardHttp[index];
        if (h == null) {
            resolve();
            h = shardHttp[index];
        }
        if (h == null) {
            throw new StoreException("no reachable --clickhouse-url endpoint is a replica of shard "
                    + shards.get(index).number() + " of cluster " + config.cluster() + "; list every node's URL");
        }
        return h;
    }

    /** The shard_num of shard index {@code index}. */
    int shardNumber(int index) {
        return shards.get(index).number();
    }

    int shardCount() {
        return shards.size();
    }

    /** Index (0-based, in shard_num order) of the shard holding a series. */
    int shardOf(long seriesId) {
        return slots[(int) ((seriesId & Long.MAX_VALUE) % slots.length)];
    }

    /**
     * A shard that comes back still counts as down this long: its port accepts connections before its tables have
     * loaded and before the node running a Distributed query has reconnected to it, and until then ClickHouse skips
     * it silently (skip_unavailable_shards). Saying "partial" a few seconds too long is the safe side.
     */
    static final long REJOIN_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    /** Shard number -> System.nanoTime() when it was last found without a reachable replica. */
    private final java.util.Map<Integer, Long> lastDown = new java.util.concurrent.ConcurrentHashMap<>();

    /** Shard numbers found without a reachable replica at the last probe, or back for less than the grace. */
    List<Integer> down() {
        return down;
    }

    /** Tries a TCP connection to each shard's replicas (their native port) until one accepts. */
    void probe() {
        if (!unresolved.isEmpty()) {
            resolve();
        }
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
            long t = System.nanoTime();
            if (!reachable) {
                lastDown.put(s.number(), t);
            }
            Long last = lastDown.get(s.number());
            if (last != null && t - last < REJOIN_GRACE_NANOS) {
                now.add(s.number());
            }
        }
        down = List.copyOf(now);
    }
}
