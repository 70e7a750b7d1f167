package io.continuo.server.query;

import io.continuo.model.FlameTree;

/** Encodes a query result as a gzipped pprof profile that {@code go tool pprof} opens. */
public interface ProfileExporter {
    byte[] pprof(String type, FlameTree tree, long fromMillis, long untilMillis);
}
