package io.continuo.store.duckdb;

import io.continuo.store.duckdb.SeriesCache.Series;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Deletes data past its retention: every sample table of {@link Tiers} (so no tier escapes), trace rows, totals and
 * metrics, then series left with nothing, which frees room under the series limit. Runs on the writer thread, in
 * its transactions.
 */
final class Retention {
    /** Tables with a series_id and ts besides the sample tiers. */
    private static final List<String> OTHER_TABLES = List.of("trace_samples", "totals");

    private final DuckDbConfig config;
    private final Database db;

    Retention(DuckDbConfig config, Database db) {
        this.config = config;
        this.db = db;
    }

    /** Applies the configured retention of every type present, and of metrics. */
    long apply() throws SQLException {
        long now = config.clock().millis();
        Set<String> types = new HashSet<>();
        for (Series s : db.series().all()) {
            if (!s.isMetric()) {
                types.add(s.type);
            }
        }
        long removed = 0;
        for (String type : types) {
            removed += deleteBefore(type, now - config.retention(type).toMillis());
        }
        removed += deleteMetricsBefore(now - config.retention(DuckDbConfig.METRICS_RETENTION_KEY).toMillis());
        return removed;
    }

    /**
     * Deletes rows of one type (null: every type and metrics) in whole hours before the cutoff: the cutoff is rounded
     * down to the hour so raw rows and every rollup always cover the same time.
     */
    long deleteBefore(String type, long cutoffMillis) throws SQLException {
        long cut = Tiers.floor(cutoffMillis, Tiers.HOUR);
        String filter = type == null ? "" : " AND series_id IN (SELECT series_id FROM series WHERE type = ?)";
        List<String> tables = new ArrayList<>(Tiers.sampleTables());
        tables.addAll(OTHER_TABLES);
        Connection c = db.connection();
        long removed = 0;
        for (String table : tables) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE ts < ?" + filter)) {
                ps.setLong(1, cut);
                if (type != null) {
                    ps.setString(2, type);
                }
                removed += ps.executeUpdate();
            }
        }
        if (type == null) {
            removed += deleteMetricsBefore(cutoffMillis);
        }
        dropEmptySeries(type == null ? null : s -> s.type.equals(type), cut);
        return removed;
    }

    private long deleteMetricsBefore(long cutoffMillis) throws SQLException {
        long cut = Tiers.floor(cutoffMillis, Tiers.HOUR);
        long removed;
        try (PreparedStatement ps = db.connection().prepareStatement("DELETE FROM metrics WHERE ts < ?")) {
            ps.setLong(1, cut);
            removed = ps.executeUpdate();
        }
        dropEmptySeries(Series::isMetric, cut);
        return removed;
    }

    private void dropEmptySeries(Predicate<Series> which, long cut) throws SQLException {
        List<Series> gone = new ArrayList<>();
        for (Series s : db.series().all()) {
            if ((which == null || which.test(s)) && s.lastMs < cut) {
                gone.add(s);
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = db.connection().prepareStatement("DELETE FROM series WHERE series_id = ?")) {
            for (Series s : gone) {
                ps.setInt(1, s.id);
                ps.executeUpdate();
            }
        }
        db.series().removeAll(gone);
    }
}
