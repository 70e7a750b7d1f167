package io.continuo.store.duckdb;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per rollup tier ({@link Tiers#ALL}, same order): rows with ts below the watermark are in that tier's table. Moved by
 * the writer thread only (in the transaction that filled the tier, then published here); read by queries.
 */
final class Watermarks {
    private final AtomicLongArray values = new AtomicLongArray(Tiers.ALL.size());

    void load(Map<String, Long> meta) {
        for (int i = 0; i < Tiers.ALL.size(); i++) {
            values.set(i, meta.getOrDefault(Tiers.ALL.get(i).watermarkKey(), 0L));
        }
    }

    long get(int tier) {
        return values.get(tier);
    }

    void set(int tier, long value) {
        values.set(tier, value);
    }

    long[] snapshot() {
        long[] out = new long[values.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** The watermark of a rollup table, e.g. {@code samples_1h}. */
    long of(String table) {
        for (int i = 0; i < Tiers.ALL.size(); i++) {
            if (Tiers.ALL.get(i).table().equals(table)) {
                return values.get(i);
            }
        }
        throw new IllegalArgumentException("no rollup table " + table);
    }
}
