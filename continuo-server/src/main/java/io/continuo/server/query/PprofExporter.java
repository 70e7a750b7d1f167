package io.continuo.server.query;

import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.FlameTree;
import io.continuo.model.ProfileType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes query results with continuo-formats' pprof writer (gzipped, as go tool pprof expects). */
public final class PprofExporter implements ProfileExporter {
    @Override
    public byte[] pprof(String type, FlameTree tree, long fromMillis, long untilMillis) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PprofWriter.write(ProfileType.of(type), tree, 0, out, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
