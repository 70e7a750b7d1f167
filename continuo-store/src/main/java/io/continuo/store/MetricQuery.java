package io.continuo.store;

import io.continuo.model.Selector;

public record MetricQuery(String tenant, String name, Selector selector, long fromMillis, long untilMillis) {
}
