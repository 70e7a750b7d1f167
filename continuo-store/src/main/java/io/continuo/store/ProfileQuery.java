package io.continuo.store;

import io.continuo.model.Selector;

/** Which samples: tenant, profile type name, series selector, time range [from, until) in unix ms. */
public record ProfileQuery(String tenant, String type, Selector selector, long fromMillis, long untilMillis) {
}
