package io.continuo.store;

/** One trace seen in samples: its id, one span id, the endpoint label, the sum of values and first/last sample time. */
public record TraceSummary(String traceId, String spanId, String endpoint, long value, long firstMillis, long lastMillis) {
}
