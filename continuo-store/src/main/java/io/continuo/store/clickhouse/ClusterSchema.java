package io.continuo.store.clickhouse;

import io.continuo.store.StoreException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The schema on a ClickHouse cluster: each logical table of {@link ClickHouseSchema} becomes {@code NAME_local}, a
 * Replicated*MergeTree on every node (replicas of a shard share {@code /clickhouse/tables/{shard}/DB/NAME_local}, so
 * nodes need the {@code shard} and {@code replica} macros), and {@code NAME}, a Distributed table over them, which is
 * what every query and INSERT names. So the SQL is the single-server SQL.
 * <ul>
 * <li>Sharding: every row goes to the shard of its series ({@code series_id}); dictionary rows (frames, stacks) carry
 * {@link #SHARD_KEY}, the series they were sent with. A series' samples, rollups, totals, hours and dictionary rows
 * are therefore on one shard: IN subqueries run shard-local, and a shard answers its part of a flame graph with its
 * own stack names even when another shard is down.</li>
 * <li>No materialized views: the writer sends rollups, totals and hours itself, one deterministic block per upload
 * and table ({@link ClusterEncoder}). A retried upload re-sends identical blocks, which Replicated tables drop as
 * duplicates table by table, so a retry after a failure between two tables completes the upload instead of doubling
 * or losing the derived rows (a view would be skipped with its deduplicated source block).</li>
 * <li>Creation is idempotent ({@code IF NOT EXISTS}) and any number of servers may run it at once. When this node
 * already has every table nothing is sent, so a server starts while a replica is down; otherwise {@code ON CLUSTER}
 * DDL waits at most {@link #DDL_TIMEOUT_SECONDS} for the other nodes (those down run it when they return).</li>
 * </ul>
 */
final class ClusterSchema {
    /** Column of dictionary tables naming the series whose shard holds the row. */
    static final String SHARD_KEY = "shard_key";
    /**
     * Column of rollups and totals: a hash of the upload's raw rows. It makes the derived blocks of two different
     * uploads differ even when they sum to the same rows (same minute, same stacks), so deduplication drops exactly
     * what it drops from samples: retries. SummingMergeTree keeps an arbitrary one when rows merge.
     */
    static final String UPLOAD = "upload";
    static final String LOCAL_SUFFIX = "_local";
    /** Replicated tables remember this many recent blocks per table to drop repeated INSERTs (default 100). */
    static final int DEDUPLICATION_WINDOW = 10_000;
    static final int DDL_TIMEOUT_SECONDS = 30;
    /** TIMEOUT_EXCEEDED: an ON CLUSTER task some node did not finish in time; it stays queued for that node. */
    private static final int CODE_TIMEOUT_EXCEEDED = 159;
    private static final System.Logger LOG = System.getLogger(ClusterSchema.class.getName());

    private ClusterSchema() {
    }

    static boolean isDictionary(ClickHouseSchema.Table t) {
        return SHARD_KEY.equals(t.shardKey());
    }

    static List<String> ddl(String db, String cluster) {
        String on = " ON CLUSTER " + cluster;
        List<String> out = new ArrayList<>();
        out.add("CREATE DATABASE IF NOT EXISTS " + db + on);
        for (ClickHouseSchema.Table t : ClickHouseSchema.TABLES) {
            String local = t.name() + LOCAL_SUFFIX;
            String columns = t.columns() + (t.clusterColumns().isEmpty() ? "" : ", " + t.clusterColumns());
            String args = "'/clickhouse/tables/{shard}/" + db + "/" + local + "', '{replica}'"
                    + (t.engineArgs().isEmpty() ? "" : ", " + t.engineArgs());
            out.add("CREATE TABLE IF NOT EXISTS " + db + "." + local + on + " (" + columns + ") ENGINE = Replicated"
                    + t.engine() + "(" + args + ") " + t.tail() + " SETTINGS replicated_deduplication_window = "
                    + DEDUPLICATION_WINDOW);
            out.add("CREATE TABLE IF NOT EXISTS " + db + "." + t.name() + on + " AS " + db + "." + local
                    + " ENGINE = Distributed(" + cluster + ", " + db + ", " + local + ", "
                    + String.format(ClusterTopology.SHARDING_EXPRESSION, t.shardKey()) + ")");
        }
        return out;
    }

    static void create(ClickHouseConfig config, ClickHouseHttp http) {
        String db = config.database();
        if (missingTables(http, db).isEmpty()) {
            return;
        }
        int wait = DDL_TIMEOUT_SECONDS;
        for (String ddl : ddl(db, config.cluster())) {
            try {
                http.execute(ddl, "&distributed_ddl_task_timeout=" + wait);
            } catch (StoreException e) {
                if (!e.getMessage().contains("Code: " + CODE_TIMEOUT_EXCEEDED)) {
                    throw e;
                }
                // Some node is not executing the queue (down): it runs these statements in order when it returns,
                // so waiting on it for each of them gains nothing. The check below waits for this node only.
                LOG.log(System.Logger.Level.WARNING, "a ClickHouse node did not create Continuo's schema within "
                        + wait + " s (down?); it will when it returns: " + e.getMessage());
                wait = 1;
            }
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(DDL_TIMEOUT_SECONDS);
        Set<String> missing = missingTables(http, db);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for the ClickHouse cluster to create tables");
            }
            missing = missingTables(http, db);
        }
        if (!missing.isEmpty()) {
            throw new StoreException("ClickHouse cluster " + config.cluster() + " did not create " + missing
                    + " in " + db + " on the node this server talks to within " + DDL_TIMEOUT_SECONDS + " s (is its "
                    + "distributed DDL queue running? ClickHouse 18.16 stops it for good when ZooKeeper was not "
                    + "serving as the node started: restart the node)");
        }
    }

    /** Tables of the schema the node answering lacks. */
    private static Set<String> missingTables(ClickHouseHttp http, String db) {
        Set<String> want = new HashSet<>();
        for (ClickHouseSchema.Table t : ClickHouseSchema.TABLES) {
            want.add(t.name());
            want.add(t.name() + LOCAL_SUFFIX);
        }
        RowBinaryInput in = http.querySystem("SELECT name FROM system.tables WHERE database = " + SqlLiterals.quote(db)
                + " FORMAT RowBinary");
        while (in.hasMore()) {
            want.remove(in.string());
        }
        return want;
    }
}
