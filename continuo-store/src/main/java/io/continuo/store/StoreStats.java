package io.continuo.store;

/** Sizes for /metrics: rows in each table, bytes on disk. */
public record StoreStats(long series, long stacks, long frames, long sampleRows, long rollupRows, long traceRows,
                         long metricPoints, long bytesOnDisk) {
}
