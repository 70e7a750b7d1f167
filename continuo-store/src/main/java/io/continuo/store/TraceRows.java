package io.continuo.store;

import io.continuo.model.Labels;
import io.continuo.model.ProfileType;

/** (stack, value) pairs sampled while one span ran; {@code labels} are the series labels (service, endpoint...). */
public record TraceRows(String traceId, String spanId, Labels labels, ProfileType type, int[] stacks, long[] values,
                        int count) {
}
