package io.continuo.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.BooleanSupplier;

/**
 * Fills the rollup tiers ({@link Tiers#ALL}): raw rows of completed minutes into the first tier, completed buckets of
 * each tier into the next. Each chunk inserts its rows and moves the tier's watermark in one transaction, so a crash
 * leaves both or neither and the job is idempotent. Runs on the writer thread, in its transactions.
 */
final class Rollups {
    private final DuckDbConfig config;
    private final Database db;

    Rollups(DuckDbConfig config, Database db) {
        this.config = config;
        this.db = db;
    }

    /**
     * Rolls up what is due, at most {@code maxSteps} chunks per tier unless no write is waiting (so uploads are not
     * held up behind a backlog of rollups).
     */
    void rollUp(long maxSteps, BooleanSupplier writesWaiting) throws SQLException {
        Connection c = db.connection();
        Watermarks wm = db.watermarks();
        long target = Tiers.floor(config.clock().millis() - config.rollupDelay().toMillis(), Tiers.MINUTE);
        for (int t = 0; t < Tiers.ALL.size(); t++) {
            Tiers.Tier tier = Tiers.ALL.get(t);
            long tierTarget = t == 0 ? target : Tiers.floor(wm.get(t - 1), tier.width());
            long steps = 0;
            while (wm.get(t) < tierTarget && (steps < maxSteps || !writesWaiting.getAsBoolean())) {
                long next = rollChunk(c, tier, wm.get(t), tierTarget);
                db.putMeta(tier.watermarkKey(), next);
                c.commit();
                wm.set(t, next);
                steps++;
            }
        }
    }

    /** Rolls [first data at or after wm, +chunk) capped at target; returns the new watermark. */
    private static long rollChunk(Connection c, Tiers.Tier tier, long wm, long target) throws SQLException {
        Long first = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT min(ts) FROM " + tier.source() + " WHERE ts >= ? AND ts < ?")) {
            ps.setLong(1, wm);
            ps.setLong(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long v = rs.getLong(1);
                    first = rs.wasNull() ? null : v;
                }
            }
        }
        if (first == null) {
            return target;
        }
        long width = tier.width();
        long start = Math.max(wm, Tiers.floor(first, width));
        long end = Math.min(target, start + tier.chunk());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + tier.table()
                + " SELECT series_id, (ts // " + width + ") * " + width + " AS bucket, stack_id, "
                + SaturatedSql.sum("value") + ", scale FROM " + tier.source()
                + " WHERE ts >= ? AND ts < ? GROUP BY series_id, bucket, stack_id, scale"
                + " ORDER BY series_id, bucket, scale, stack_id")) {
            ps.setLong(1, start);
            ps.setLong(2, end);
            ps.executeUpdate();
        }
        return end;
    }
}
