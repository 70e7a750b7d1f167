package io.continuo.store.clickhouse;

import io.continuo.store.RangeSplit;
import io.continuo.store.StoreException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes old data the way MergeTree likes: whole (type, day) partitions below the cutoff are dropped (instant, no
 * rewrite), and only the rows of the day the cutoff falls in are removed with {@code ALTER TABLE ... DELETE}, a
 * mutation that rewrites just the parts holding them; the call waits until mutations finish so the rows are gone when
 * it returns. As in the DuckDB engine, cutoffs round down to the hour so raw rows and hourly rollups always cover
 * the same time. Idempotent, so every stateless server may run it.
 * <p>
 * On a cluster the ALTERs name the local Replicated tables {@code ON CLUSTER} (Distributed tables cannot drop
 * partitions; replicas apply a shard's drop and mutation themselves), and a mutation's subquery reads the shard's
 * own table, where every row of a series lives.
 */
final class Retention {
    /** Series rows younger than this are never removed: their samples may still be on the way. */
    static final long SERIES_ROW_GUARD_MS = 2 * GroupWriter.KNOWN_SERIES_TTL_NANOS / 1_000_000L;
    private static final long MUTATION_POLL_MS = 20;

    private final ClickHouseConfig config;
    private final ClickHouseHttp http;

    Retention(ClickHouseConfig config, ClickHouseHttp http) {
        this.config = config;
        this.http = http;
    }

    /** The configured retention of every profile type present, and of metrics. */
    /** The name ALTERs use: the table, or on a cluster its local table ON CLUSTER. */
    private String alterTarget(String table) {
        return config.clustered() ? config.database() + "." + local(table) + " ON CLUSTER " + config.cluster()
                : config.database() + "." + table;
    }

    private String local(String table) {
        return config.clustered() ? table + ClusterSchema.LOCAL_SUFFIX : table;
    }

    private void alter(String sql) {
        if (config.clustered()) {
            http.execute(sql, "&distributed_ddl_task_timeout=" + ClusterSchema.DDL_TIMEOUT_SECONDS);
        } else {
            http.execute(sql);
        }
    }

    long apply(long nowMillis) {
        List<String> types = new ArrayList<>();
        RowBinaryInput in = http.query("SELECT DISTINCT type FROM series WHERE substring(type, 1, 1) != "
                + SqlLiterals.quote(SeriesIndex.METRIC_PREFIX) + " FORMAT RowBinary");
        while (in.hasMore()) {
            types.add(in.string());
        }
        long removed = 0;
        for (String type : types) {
            removed += deleteBefore(type, nowMillis - config.retention(type).toMillis());
        }
        removed += deleteMetricsBefore(nowMillis - config.retention(ClickHouseConfig.METRICS_RETENTION_KEY).toMillis());
        return removed;
    }

    /** Rows of one type (null: every type, and metrics) in whole hours before the cutoff; returns rows removed. */
    long deleteBefore(String type, long cutoffMillis) {
        long cut = RangeSplit.floor(cutoffMillis, RangeSplit.HOUR);
        long removed = 0;
        for (ClickHouseSchema.TimeTable t : ClickHouseSchema.TIME_TABLES) {
            if (t.partitionedByDay()) {
                removed += deleteRows(t.name(), type, cut);
            }
        }
        String typeFilter = type == null ? "" : " AND type = " + SqlLiterals.quote(type);
        mutate("series_hours", "hour < " + cut + typeFilter);
        if (type == null) {
            removed += deleteMetricsBefore(cutoffMillis);
        }
        dropEmptySeries(type == null ? "" : typeFilter);
        return removed;
    }

    private long deleteMetricsBefore(long cutoffMillis) {
        long cut = RangeSplit.floor(cutoffMillis, RangeSplit.HOUR);
        long removed = 0;
        List<Long> wholeDays = new ArrayList<>();
        boolean partial = false;
        RowBinaryInput in = http.query("SELECT intDiv(ts, " + ClickHouseSchema.DAY + ") AS day, toInt64(count()) "
                + "FROM metrics WHERE ts < " + cut + " GROUP BY day FORMAT RowBinary");
        while (in.hasMore()) {
            long day = in.int64();
            removed += in.int64();
            if ((day + 1) * ClickHouseSchema.DAY <= cut) {
                wholeDays.add(day);
            } else {
                partial = true;
            }
        }
        for (long day : wholeDays) {
            alter("ALTER TABLE " + alterTarget("metrics") + " DROP PARTITION " + day);
        }
        if (partial) {
            mutate("metrics", "ts < " + cut);
        }
        mutate("series_hours", "hour < " + cut + " AND substring(type, 1, 1) = "
                + SqlLiterals.quote(SeriesIndex.METRIC_PREFIX));
        dropEmptySeries(" AND substring(type, 1, 1) = " + SqlLiterals.quote(SeriesIndex.METRIC_PREFIX));
        return removed;
    }

    /** Drops whole (type, day) partitions below the cutoff and deletes the rest of the rows before it. */
    private long deleteRows(String table, String type, long cut) {
        String typeFilter = type == null ? "" : " AND type = " + SqlLiterals.quote(type);
        RowBinaryInput in = http.query("SELECT type, intDiv(ts, " + ClickHouseSchema.DAY + ") AS day, "
                + "toInt64(count()) FROM " + table + " WHERE ts < " + cut + typeFilter
                + " GROUP BY type, day FORMAT RowBinary");
        long removed = 0;
        List<String> drops = new ArrayList<>();
        Set<String> partialTypes = new LinkedHashSet<>();
        while (in.hasMore()) {
            String t = in.string();
            long day = in.int64();
            removed += in.int64();
            if ((day + 1) * ClickHouseSchema.DAY <= cut) {
                drops.add("(" + SqlLiterals.quote(t) + ", " + day + ")");
            } else {
                partialTypes.add(SqlLiterals.quote(t));
            }
        }
        for (String partition : drops) {
            alter("ALTER TABLE " + alterTarget(table) + " DROP PARTITION " + partition);
        }
        if (!partialTypes.isEmpty()) {
            mutate(table, "ts < " + cut + " AND type IN (" + String.join(", ", partialTypes) + ")");
        }
        return removed;
    }

    /**
     * Removes series rows with no data left (frees room under the series limit). Rows created recently are kept:
     * a writer may have sent the series row and not yet its samples.
     */
    private void dropEmptySeries(String typeFilter) {
        String where = "created_ms < " + (System.currentTimeMillis() - SERIES_ROW_GUARD_MS) + typeFilter
                + " AND series_id NOT IN (SELECT series_id FROM " + config.database() + "." + local("series_hours") + ")";
        mutate("series", where);
    }

    /** Runs {@code ALTER TABLE ... DELETE WHERE} when some row matches, and waits for it to finish. */
    private void mutate(String table, String where) {
        RowBinaryInput in = http.query("SELECT toInt64(count()) FROM " + table + " WHERE " + where + " FORMAT RowBinary");
        if (in.int64() == 0) {
            return;
        }
        alter("ALTER TABLE " + alterTarget(table) + " DELETE WHERE " + where);
        awaitMutations(local(table));
    }

    private void awaitMutations(String table) {
        long deadline = System.nanoTime() + config.queryTimeout().toNanos();
        while (true) {
            RowBinaryInput in = http.query("SELECT toInt64(count()) FROM system.mutations WHERE database = "
                    + SqlLiterals.quote(config.database()) + " AND table = " + SqlLiterals.quote(table)
                    + " AND is_done = 0 FORMAT RowBinary");
            if (in.int64() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new StoreException("ClickHouse did not finish deleting from " + table + " within "
                        + config.queryTimeout().toSeconds() + " s; it continues in the background");
            }
            try {
                Thread.sleep(MUTATION_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for ClickHouse to delete old rows");
            }
        }
    }
}
