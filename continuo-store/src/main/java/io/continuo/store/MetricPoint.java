package io.continuo.store;

/** One gauge reading: {@code name} (e.g. heap_used_after_gc_bytes) at a unix-ms timestamp. */
public record MetricPoint(String name, long timestampMillis, double value) {
}
