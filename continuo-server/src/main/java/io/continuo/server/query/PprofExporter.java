package io.continuo.server.query;

import io.continuo.formats.pprof.PprofExport;
import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.ProfileType;

import java.util.List;

/** Encodes query results with continuo-formats' pprof export (gzipped, as go tool pprof expects). */
public final class PprofExporter implements ProfileExporter {
    @Override
    public byte[] pprof(String type, List<PprofExport.Group> groups, long fromMillis, long untilMillis) {
        return PprofWriter.toBytes(PprofExport.toProfile(ProfileType.of(type), groups, fromMillis, untilMillis), true);
    }
}
