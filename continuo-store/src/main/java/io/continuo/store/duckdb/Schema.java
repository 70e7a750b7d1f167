package io.continuo.store.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The embedded schema. No primary keys or indexes: uniqueness of frames, stacks and series is guaranteed by the
 * single writer thread and its caches, and DuckDB's ART indexes would slow the Appender and bloat the file.
 * Timestamps are unix milliseconds (BIGINT): in a row group they are nearly constant, so bit-packing makes them free.
 * <p>
 * A sample's value is {@code value * scale}: {@code scale} is the greatest common divisor of one series' values in one
 * upload (for CPU, the sampling period in ns), constant over the upload's rows so run-length encoding stores it for
 * free, while {@code value} becomes a small sample count that bit-packs into a few bits instead of ~30.
 */
final class Schema {
    static final int VERSION = 1;

    static final String CLEAN_SHUTDOWN = "clean_shutdown";
    static final String SCHEMA_VERSION = "schema_version";
    /** When an out-of-service store last proved it can commit (its one-row probe write). */
    static final String LAST_PROBE = "last_probe";

    private static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS meta(key VARCHAR, value BIGINT)",
            // frame_id is the content hash of (name, file); local_id the dense id samples' stacks refer to.
            "CREATE TABLE IF NOT EXISTS frames(local_id INTEGER, frame_id BIGINT, name VARCHAR, file VARCHAR)",
            // A stack is its parent stack plus one leaf frame; stack_hash = Hashing.stackId(parent hash, frame hash).
            "CREATE TABLE IF NOT EXISTS stacks(stack_id INTEGER, stack_hash BIGINT, parent_id INTEGER, frame_id INTEGER)",
            // labels in Prometheus text form ({a="b",...}), as Labels.toString() prints and Selector.parse reads.
            "CREATE TABLE IF NOT EXISTS series(series_id INTEGER, tenant VARCHAR, type VARCHAR, unit VARCHAR, "
                    + "labels VARCHAR, service VARCHAR, fingerprint BIGINT, first_ms BIGINT, last_ms BIGINT)",
            // Per (series, upload) sum of value * scale: totals read one row per upload instead of one per stack.
            "CREATE TABLE IF NOT EXISTS totals(series_id INTEGER, ts BIGINT, value BIGINT)",
            "CREATE TABLE IF NOT EXISTS trace_samples(series_id INTEGER, ts BIGINT, trace_id VARCHAR, span_id VARCHAR, "
                    + "stack_id INTEGER, value BIGINT, scale BIGINT)",
            "CREATE TABLE IF NOT EXISTS metrics(series_id INTEGER, ts BIGINT, name VARCHAR, value DOUBLE)");

    private Schema() {
    }

    /** Raw samples and every rollup tier share one shape; the tables come from {@link Tiers}. */
    private static final String SAMPLE_COLUMNS =
            "(series_id INTEGER, ts BIGINT, stack_id INTEGER, value BIGINT, scale BIGINT)";

    static void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String table : Tiers.sampleTables()) {
                st.execute("CREATE TABLE IF NOT EXISTS " + table + SAMPLE_COLUMNS);
            }
            for (String ddl : DDL) {
                st.execute(ddl);
            }
        }
    }
}
