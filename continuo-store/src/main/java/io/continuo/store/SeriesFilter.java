package io.continuo.store;

import io.continuo.model.Selector;

public record SeriesFilter(String tenant, Selector selector, long fromMillis, long untilMillis) {
}
