package io.continuo.agent.pprof;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a {@link ProfileBuilder} as a gzipped pprof {@code Profile}
 * (github.com/google/pprof/blob/main/proto/profile.proto). Field numbers are named after the proto.
 * Reuses its buffers across intervals; only the returned byte array is new.
 */
public final class PprofEncoder {
    // message Profile
    private static final int PROFILE_SAMPLE_TYPE = 1;
    private static final int PROFILE_SAMPLE = 2;
    private static final int PROFILE_LOCATION = 4;
    private static final int PROFILE_FUNCTION = 5;
    private static final int PROFILE_STRING_TABLE = 6;
    private static final int PROFILE_TIME_NANOS = 9;
    private static final int PROFILE_DURATION_NANOS = 10;
    private static final int PROFILE_PERIOD_TYPE = 11;
    private static final int PROFILE_PERIOD = 12;
    private static final int PROFILE_COMMENT = 13;
    // message ValueType
    private static final int VALUE_TYPE_TYPE = 1;
    private static final int VALUE_TYPE_UNIT = 2;
    // message Sample
    private static final int SAMPLE_LOCATION_ID = 1;
    private static final int SAMPLE_VALUE = 2;
    private static final int SAMPLE_LABEL = 3;
    // message Label
    private static final int LABEL_KEY = 1;
    private static final int LABEL_STR = 2;
    // message Location
    private static final int LOCATION_ID = 1;
    private static final int LOCATION_LINE = 4;
    // message Line
    private static final int LINE_FUNCTION_ID = 1;
    private static final int LINE_LINE = 2;
    // message Function
    private static final int FUNCTION_ID = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_SYSTEM_NAME = 3;
    private static final int FUNCTION_FILENAME = 4;

    private final ProtoWriter out = new ProtoWriter(64 * 1024);
    private final ProtoWriter msg = new ProtoWriter(1024);
    private final ProtoWriter inner = new ProtoWriter(256);
    private final ProtoWriter packed = new ProtoWriter(1024);
    private long[] locationIds = new long[128];

    /** The uncompressed protobuf; tests decode it, {@link #encodeGzip} is what travels. */
    public byte[] encode(ProfileBuilder p, long timeNanos, long durationNanos) {
        int threadKey = p.intern("thread");
        int spanKey = p.intern("span_id");
        int traceKey = p.intern("trace_id");
        int endpointKey = p.intern("endpoint");
        int[] typeIds = new int[p.valueCount];
        int[] unitIds = new int[p.valueCount];
        for (int i = 0; i < p.valueCount; i++) {
            typeIds[i] = p.intern(p.sampleTypes[i]);
            unitIds[i] = p.intern(p.sampleUnits[i]);
        }
        int periodTypeId = p.intern(p.periodType);
        int periodUnitId = p.intern(p.periodUnit);
        int commentId = p.comment == null ? 0 : p.intern(p.comment);

        out.reset();
        for (int i = 0; i < p.valueCount; i++) {
            valueType(typeIds[i], unitIds[i]);
            out.message(PROFILE_SAMPLE_TYPE, msg);
        }
        for (int s = 0; s < p.sampleCount; s++) {
            msg.reset();
            int stack = p.sampleStack[s];
            int len = p.stackLength[stack];
            if (locationIds.length < len) locationIds = new long[Math.max(len, locationIds.length * 2)];
            int off = p.stackOffset[stack];
            for (int i = 0; i < len; i++) locationIds[i] = p.stackPool[off + i] + 1L;
            msg.packed(SAMPLE_LOCATION_ID, locationIds, 0, len, packed);
            msg.packed(SAMPLE_VALUE, p.values, s * p.valueCount, p.valueCount, packed);
            int labels = p.sampleLabels[s];
            label(threadKey, p.labelThread[labels]);
            int span = p.labelSpan[labels];
            if (span > 0) {
                label(spanKey, p.spanIdString[span - 1]);
                label(traceKey, p.traceIdString[span - 1]);
                if (p.endpointString[span - 1] != 0) label(endpointKey, p.endpointString[span - 1]);
            }
            out.message(PROFILE_SAMPLE, msg);
        }
        for (int l = 0; l < p.locationCount; l++) {
            msg.reset();
            msg.uint64(LOCATION_ID, l + 1L);
            inner.reset();
            inner.uint64(LINE_FUNCTION_ID, p.locationFunction[l] + 1L);
            inner.int64(LINE_LINE, p.locationLine[l]);
            msg.message(LOCATION_LINE, inner);
            out.message(PROFILE_LOCATION, msg);
        }
        for (int f = 0; f < p.functionCount; f++) {
            msg.reset();
            msg.uint64(FUNCTION_ID, f + 1L);
            msg.int64(FUNCTION_NAME, p.functionName[f]);
            msg.int64(FUNCTION_SYSTEM_NAME, p.functionName[f]);
            msg.int64(FUNCTION_FILENAME, p.functionFile[f]);
            out.message(PROFILE_FUNCTION, msg);
        }
        StringTable strings = p.strings;
        for (int i = 0; i < strings.size(); i++) out.string(PROFILE_STRING_TABLE, strings.get(i));
        out.int64(PROFILE_TIME_NANOS, timeNanos);
        out.int64(PROFILE_DURATION_NANOS, durationNanos);
        valueType(periodTypeId, periodUnitId);
        out.message(PROFILE_PERIOD_TYPE, msg);
        out.int64(PROFILE_PERIOD, p.period);
        if (commentId != 0) out.int64(PROFILE_COMMENT, commentId);
        return out.toByteArray();
    }

    public byte[] encodeGzip(ProfileBuilder p, long timeNanos, long durationNanos) {
        byte[] raw = encode(p, timeNanos, durationNanos);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 8192)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void valueType(int type, int unit) {
        msg.reset();
        msg.int64(VALUE_TYPE_TYPE, type);
        msg.int64(VALUE_TYPE_UNIT, unit);
    }

    private void label(int key, int str) {
        inner.reset();
        inner.int64(LABEL_KEY, key);
        inner.int64(LABEL_STR, str);
        msg.message(SAMPLE_LABEL, inner);
    }
}
