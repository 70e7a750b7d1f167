package io.continuo.agent.pprof;

import com.google.protobuf.CodedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Test-side pprof reader built on protobuf-java's CodedInputStream, independent of our encoder. */
public final class DecodedProfile {
    public final List<String> strings = new ArrayList<>();
    public final List<String[]> sampleTypes = new ArrayList<>();
    public final List<Sample> samples = new ArrayList<>();
    public final Map<Long, long[]> locations = new HashMap<>(); // id -> {functionId, line}
    public final Map<Long, long[]> functions = new HashMap<>(); // id -> {name, systemName, filename}
    public long timeNanos;
    public long durationNanos;
    public long period;
    public String[] periodType;
    public final List<String> comments = new ArrayList<>();
    private final List<Long> rawComments = new ArrayList<>();
    private final List<long[]> rawSampleTypes = new ArrayList<>();
    private long[] rawPeriodType;

    public static final class Sample {
        public final List<Long> locationIds = new ArrayList<>();
        public final List<Long> values = new ArrayList<>();
        public final Map<String, String> labels = new LinkedHashMap<>();
        final List<long[]> rawLabels = new ArrayList<>();
        /** Function names, leaf first. */
        public final List<String> frames = new ArrayList<>();
    }

    public static DecodedProfile gunzipAndParse(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DecodedProfile parse(byte[] bytes) {
        try {
            DecodedProfile p = new DecodedProfile();
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                switch (tag >>> 3) {
                    case 1: p.rawSampleTypes.add(valueType(in.readByteArray())); break;
                    case 2: p.samples.add(sample(in.readByteArray())); break;
                    case 4: location(p, in.readByteArray()); break;
                    case 5: function(p, in.readByteArray()); break;
                    case 6: p.strings.add(in.readStringRequireUtf8()); break;
                    case 9: p.timeNanos = in.readInt64(); break;
                    case 10: p.durationNanos = in.readInt64(); break;
                    case 11: p.rawPeriodType = valueType(in.readByteArray()); break;
                    case 12: p.period = in.readInt64(); break;
                    case 13:
                        if ((tag & 7) == 2) {
                            int limit = in.pushLimit(in.readRawVarint32());
                            while (in.getBytesUntilLimit() > 0) p.rawComments.add(in.readInt64());
                            in.popLimit(limit);
                        } else {
                            p.rawComments.add(in.readInt64());
                        }
                        break;
                    default: in.skipField(tag);
                }
            }
            for (long c : p.rawComments) p.comments.add(p.s(c));
            for (long[] vt : p.rawSampleTypes) p.sampleTypes.add(new String[] {p.s(vt[0]), p.s(vt[1])});
            if (p.rawPeriodType != null) p.periodType = new String[] {p.s(p.rawPeriodType[0]), p.s(p.rawPeriodType[1])};
            for (Sample s : p.samples) {
                for (long[] l : s.rawLabels) s.labels.put(p.s(l[0]), p.s(l[1]));
                for (long loc : s.locationIds) s.frames.add(p.functionName(p.locations.get(loc)[0]));
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String s(long i) { return strings.get((int) i); }

    public String functionName(long functionId) { return s(functions.get(functionId)[0]); }

    public int typeIndex(String type) {
        for (int i = 0; i < sampleTypes.size(); i++) if (sampleTypes.get(i)[0].equals(type)) return i;
        throw new IllegalArgumentException("no sample type " + type + " in " + sampleTypes);
    }

    /** Sum of a value column per leaf function. */
    public Map<String, Long> selfByFunction(String type) {
        int t = typeIndex(type);
        Map<String, Long> out = new HashMap<>();
        for (Sample s : samples) out.merge(s.frames.get(0), s.values.get(t), Long::sum);
        return out;
    }

    /** Sum of a value column per function anywhere on the stack (counted once per sample). */
    public Map<String, Long> totalByFunction(String type) {
        int t = typeIndex(type);
        Map<String, Long> out = new HashMap<>();
        for (Sample s : samples) {
            for (String f : new java.util.HashSet<>(s.frames)) out.merge(f, s.values.get(t), Long::sum);
        }
        return out;
    }

    public long total(String type) {
        int t = typeIndex(type);
        return samples.stream().mapToLong(s -> s.values.get(t)).sum();
    }

    private static long[] valueType(byte[] b) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(b);
        long[] out = new long[2];
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag >>> 3 == 1) out[0] = in.readInt64();
            else if (tag >>> 3 == 2) out[1] = in.readInt64();
            else in.skipField(tag);
        }
        return out;
    }

    private static Sample sample(byte[] b) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(b);
        Sample s = new Sample();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = tag >>> 3;
            if (field == 1 || field == 2) {
                List<Long> target = field == 1 ? s.locationIds : s.values;
                if ((tag & 7) == 2) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    while (in.getBytesUntilLimit() > 0) target.add(in.readRawVarint64());
                    in.popLimit(limit);
                } else {
                    target.add(in.readRawVarint64());
                }
            } else if (field == 3) {
                CodedInputStream l = CodedInputStream.newInstance(in.readByteArray());
                long[] kv = new long[2];
                while (!l.isAtEnd()) {
                    int t = l.readTag();
                    if (t >>> 3 == 1) kv[0] = l.readInt64();
                    else if (t >>> 3 == 2) kv[1] = l.readInt64();
                    else l.skipField(t);
                }
                s.rawLabels.add(kv);
            } else {
                in.skipField(tag);
            }
        }
        return s;
    }

    private static void location(DecodedProfile p, byte[] b) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(b);
        long id = 0;
        long[] line = new long[2];
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag >>> 3 == 1) {
                id = in.readUInt64();
            } else if (tag >>> 3 == 4) {
                CodedInputStream l = CodedInputStream.newInstance(in.readByteArray());
                while (!l.isAtEnd()) {
                    int t = l.readTag();
                    if (t >>> 3 == 1) line[0] = l.readUInt64();
                    else if (t >>> 3 == 2) line[1] = l.readInt64();
                    else l.skipField(t);
                }
            } else {
                in.skipField(tag);
            }
        }
        p.locations.put(id, line);
    }

    private static void function(DecodedProfile p, byte[] b) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(b);
        long id = 0;
        long[] f = new long[3];
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag >>> 3) {
                case 1: id = in.readUInt64(); break;
                case 2: f[0] = in.readInt64(); break;
                case 3: f[1] = in.readInt64(); break;
                case 4: f[2] = in.readInt64(); break;
                default: in.skipField(tag);
            }
        }
        p.functions.put(id, f);
    }
}
