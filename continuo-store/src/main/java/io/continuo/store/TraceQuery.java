package io.continuo.store;

/** Samples of one trace (spanId null: every span of it) of one profile type; range bounds the search. */
public record TraceQuery(String tenant, String type, String traceId, String spanId, long fromMillis, long untilMillis) {
}
