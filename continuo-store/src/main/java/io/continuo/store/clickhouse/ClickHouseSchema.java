package io.continuo.store.clickhouse;

import io.continuo.store.RangeSplit;

import java.util.ArrayList;
import java.util.List;

/**
 * The ClickHouse schema: the DuckDB engine's logical tables, shaped for several stateless servers writing at once.
 * <ul>
 * <li>Ids are content hashes ({@link io.continuo.model.Hashing}), so servers agree without coordination; frames,
 * stacks and series are ReplacingMergeTrees keyed by their id, and readers use {@code any()}/{@code GROUP BY}, never
 * assuming duplicates were merged away.</li>
 * <li>{@code stacks} has one row per stack that samples refer to, with its whole path of frame ids (root first): one
 * lookup resolves a stack, and storage stays linear in the distinct stacks sampled.</li>
 * <li>Times are Int64 unix ms (18.16 has no DateTime64). Time tables are partitioned by (type, day) so retention drops
 * whole partitions; days are {@code intDiv(ts, 86400000)}, independent of the server's time zone.</li>
 * <li>{@code samples} feeds materialized views: 1-minute and 1-hour rollups and per-upload totals (SummingMergeTree,
 * so rows of one key add up whether or not merged) and {@code series_hours}, the hours in which a series has data,
 * which label and series queries read. They are written in the same INSERT as the raw rows, so they never lag.</li>
 * </ul>
 * 18.16 lacks CODEC, TTL, Map and query parameters; nothing here uses them, and the DDL runs on newer versions too.
 */
final class ClickHouseSchema {
    static final String RAW = "samples";
    static final List<RangeSplit.Level> ROLLUPS = List.of(
            new RangeSplit.Level("samples_1m", RangeSplit.MINUTE),
            new RangeSplit.Level("samples_1h", RangeSplit.HOUR));
    static final long DAY = 86_400_000L;

    /** Tables with a time column, for retention: name, time column, whether partitioned by (type, day). */
    record TimeTable(String name, String timeColumn, boolean typed, boolean partitionedByDay) {
    }

    static final List<TimeTable> TIME_TABLES = List.of(
            new TimeTable("samples", "ts", true, true),
            new TimeTable("samples_1m", "ts", true, true),
            new TimeTable("samples_1h", "ts", true, true),
            new TimeTable("totals", "ts", true, true),
            new TimeTable("trace_samples", "ts", true, true),
            new TimeTable("series_hours", "hour", true, false));

    static final String SAMPLE_COLUMNS = "tenant String, type String, series_id Int64, ts Int64, stack_id Int64, "
            + "value Int64";
    private static final String TYPED_DAYS = "PARTITION BY (type, intDiv(ts, 86400000))";
    /**
     * Stack ids are 64-bit content hashes: sorted by time first, each upload's ids are distinct random numbers that no
     * codec shrinks below ~6.7 bytes. Sorted by stack within a time bucket, a stack's rows of one bucket sit together,
     * so the id repeats and LZ4 stores it nearly for free; {@code ts} then ascends per stack in small steps. The bucket
     * keeps time ranges prunable by the primary key (intDiv is monotonic) and is the same for a table's rows of one
     * key, so SummingMergeTree still sums exactly the rows of equal (series, ts, stack).
     */
    private static String sampleKey(long bucketMillis) {
        return "ORDER BY (tenant, type, series_id, " + bucket(bucketMillis) + ", stack_id, ts)";
    }

    private static String bucket(long bucketMillis) {
        return "intDiv(ts, " + bucketMillis + ")";
    }

    /**
     * The condition that lets the primary key skip a sample table's rows outside [from, until): 18.16 does not derive
     * it from a condition on {@code ts} alone, so queries state the key's bucket expression too. Tables bucketed by
     * day need none (their partitions are days); on a database created before the bucketed key it is a plain filter.
     */
    static String bucketCondition(String table, long from, long until) {
        if (table.equals(RAW) || table.equals("samples_1m")) {
            String b = bucket(RangeSplit.HOUR);
            return " AND " + b + " >= " + Math.floorDiv(from, RangeSplit.HOUR) + " AND " + b + " <= "
                    + Math.floorDiv(until - 1, RangeSplit.HOUR);
        }
        return "";
    }

    private ClickHouseSchema() {
    }

    /**
     * One stored table: its columns, its MergeTree flavour (Replicated on a cluster) with the flavour's arguments,
     * and the clauses after ENGINE. {@code shardKey} names the column a cluster shards it by, and
     * {@code clusterColumns} are the columns only its cluster version has ({@link ClusterSchema}).
     */
    record Table(String name, String columns, String engine, String engineArgs, String tail, String shardKey,
                 String clusterColumns) {
    }

    /** Tables whose rows name the series they belong to are sharded by it; dictionaries by the series they came with. */
    static final List<Table> TABLES = List.of(
            new Table("frames", "frame_id Int64, name String, file String", "ReplacingMergeTree", "",
                    "ORDER BY frame_id", ClusterSchema.SHARD_KEY,
                    ClusterSchema.SHARD_KEY + " Int64"),
            new Table("stacks", "stack_id Int64, parent_id Int64, frame_id Int64, frame_ids Array(Int64)",
                    "ReplacingMergeTree", "", "ORDER BY stack_id", ClusterSchema.SHARD_KEY,
                    ClusterSchema.SHARD_KEY + " Int64"),
            // labels: Prometheus text as Labels.toString() prints it; the arrays are what queries filter on.
            new Table("series", "tenant String, series_id Int64, type String, unit String, labels String, "
                    + "label_names Array(String), label_values Array(String), service String, created_ms Int64",
                    "ReplacingMergeTree", "", "ORDER BY (tenant, series_id)", "series_id", ""),
            new Table("samples", SAMPLE_COLUMNS, "MergeTree", "", TYPED_DAYS + " " + sampleKey(RangeSplit.HOUR),
                    "series_id", ""),
            new Table("samples_1m", SAMPLE_COLUMNS, "SummingMergeTree", "value",
                    TYPED_DAYS + " " + sampleKey(RangeSplit.HOUR), "series_id", ClusterSchema.UPLOAD + " Int64"),
            new Table("samples_1h", SAMPLE_COLUMNS, "SummingMergeTree", "value", TYPED_DAYS + " " + sampleKey(DAY),
                    "series_id", ClusterSchema.UPLOAD + " Int64"),
            new Table("totals", "tenant String, type String, series_id Int64, ts Int64, value Int64",
                    "SummingMergeTree", "value", TYPED_DAYS + " ORDER BY (tenant, type, series_id, ts)", "series_id",
                    ClusterSchema.UPLOAD + " Int64"),
            new Table("trace_samples", "tenant String, type String, series_id Int64, ts Int64, trace_id String, "
                    + "span_id String, stack_id Int64, value Int64", "MergeTree", "",
                    TYPED_DAYS + " ORDER BY (tenant, type, trace_id, span_id, ts)", "series_id", ""),
            new Table("metrics", "tenant String, series_id Int64, ts Int64, name String, value Float64", "MergeTree",
                    "", "PARTITION BY intDiv(ts, 86400000) ORDER BY (tenant, name, series_id, ts)", "series_id", ""),
            // Metric series have type ':' + name; 30-day partitions keep this small table's parts few.
            new Table("series_hours", "tenant String, type String, hour Int64, series_id Int64",
                    "ReplacingMergeTree", "", "PARTITION BY intDiv(hour, 2592000000) ORDER BY (tenant, hour, type, "
                    + "series_id)", "series_id", ""));

    static List<String> ddl(String db) {
        List<String> out = new ArrayList<>();
        out.add("CREATE DATABASE IF NOT EXISTS " + db);
        for (Table t : TABLES) {
            out.add("CREATE TABLE IF NOT EXISTS " + db + "." + t.name() + " (" + t.columns() + ") ENGINE = "
                    + t.engine() + "(" + t.engineArgs() + ") " + t.tail());
        }
        out.add(rollupView(db, "samples_1m", RangeSplit.MINUTE));
        out.add(rollupView(db, "samples_1h", RangeSplit.HOUR));
        out.add("CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + ".totals_mv TO " + db + ".totals AS "
                + "SELECT tenant, type, series_id, ts, sum(value) AS value FROM " + db + ".samples "
                + "GROUP BY tenant, type, series_id, ts");
        out.add(hoursView(db, "samples_hours_mv", "type", "samples"));
        out.add(hoursView(db, "trace_hours_mv", "type", "trace_samples"));
        out.add(hoursView(db, "metrics_hours_mv", "concat(':', name)", "metrics"));
        return out;
    }

    private static String rollupView(String db, String table, long width) {
        return "CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + "." + table + "_mv TO " + db + "." + table + " AS "
                + "SELECT tenant, type, series_id, intDiv(ts, " + width + ") * " + width + " AS ts, stack_id, "
                + "sum(value) AS value FROM " + db + ".samples GROUP BY tenant, type, series_id, ts, stack_id";
    }

    private static String hoursView(String db, String view, String typeExpression, String source) {
        return "CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + "." + view + " TO " + db + ".series_hours AS "
                + "SELECT tenant, " + typeExpression + " AS type, intDiv(ts, 3600000) * 3600000 AS hour, series_id "
                + "FROM " + db + "." + source + " GROUP BY tenant, type, hour, series_id";
    }

    static void create(ClickHouseConfig config, ClickHouseHttp http) {
        if (config.clustered()) {
            ClusterSchema.create(config, http);
            return;
        }
        String db = config.database();
        for (String ddl : ddl(db)) {
            http.execute(ddl);
        }
    }
}
