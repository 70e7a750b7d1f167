package io.continuo.server.query;

import io.continuo.formats.pprof.PprofExport;

import java.util.List;

/** Encodes a query result (one flame graph per group) as a gzipped pprof profile that {@code go tool pprof} opens. */
public interface ProfileExporter {
    byte[] pprof(String type, List<PprofExport.Group> groups, long fromMillis, long untilMillis);
}
