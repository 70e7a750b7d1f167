package io.continuo.store;

import io.continuo.model.Labels;

/** Points of one series: {@code labels} holds the group-by values; timestamps are step starts in unix ms. */
public record TimeSeries(Labels labels, long[] timestamps, double[] values) {
}
