package io.continuo.store.duckdb;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The writer's DuckDB appenders of one connection, one per table it appends to (one per rollup tier of
 * {@link Tiers}, for late rows). Rows buffered here join the writer's open transaction when flushed.
 */
final class Appenders {
    final DuckDBAppender frames;
    final DuckDBAppender stacks;
    final DuckDBAppender series;
    final DuckDBAppender samples;
    /** One per rollup tier, same order as {@link Tiers#ALL}. */
    final DuckDBAppender[] rollups;
    final DuckDBAppender traceSamples;
    final DuckDBAppender totals;
    final DuckDBAppender metrics;

    Appenders(DuckDBConnection c) throws SQLException {
        String schema = DuckDBConnection.DEFAULT_SCHEMA;
        frames = c.createAppender(schema, "frames");
        stacks = c.createAppender(schema, "stacks");
        series = c.createAppender(schema, "series");
        samples = c.createAppender(schema, Tiers.RAW);
        rollups = new DuckDBAppender[Tiers.ALL.size()];
        for (int i = 0; i < rollups.length; i++) {
            rollups[i] = c.createAppender(schema, Tiers.ALL.get(i).table());
        }
        traceSamples = c.createAppender(schema, "trace_samples");
        totals = c.createAppender(schema, "totals");
        metrics = c.createAppender(schema, "metrics");
    }

    private List<DuckDBAppender> all() {
        List<DuckDBAppender> all = new ArrayList<>(Arrays.asList(frames, stacks, series, samples, traceSamples,
                totals, metrics));
        all.addAll(Arrays.asList(rollups));
        return all;
    }

    /** Hands every buffered row to the open transaction. */
    void flush() throws SQLException {
        for (DuckDBAppender a : all()) {
            a.flush();
        }
    }

    /** Closes them, flushing what they hold into the open transaction (clean shutdown). */
    void close() throws SQLException {
        for (DuckDBAppender a : all()) {
            a.close();
        }
    }

    /** Closes them after a failure; whatever they flush is rolled back or thrown away with the instance. */
    void closeQuietly() {
        for (DuckDBAppender a : all()) {
            try {
                a.close();
            } catch (SQLException | RuntimeException ignored) {
                // the caller rolls back or discards the instance
            }
        }
    }
}
