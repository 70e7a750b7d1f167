package io.continuo.formats.pyroscope;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.internal.LabelNames;
import io.continuo.formats.internal.WireReader;
import io.continuo.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-decoded Pyroscope protobufs.
 * <ul>
 *   <li>{@code io.pyroscope.labels.pb.LabelsSnapshot} (pyroscope-java {@code jfr_labels.proto}, the {@code labels}
 *       part of a JFR upload): {@code LabelsSnapshot { map<int64, Context> contexts = 1; map<int64, string> strings = 2; }},
 *       {@code Context { map<int64, int64> labels = 1; }} (label name id to value id, both keys of {@code strings}).</li>
 *   <li>{@code push.v1.PushRequest} (Pyroscope {@code api/push/v1/push.proto}):
 *       {@code PushRequest { repeated RawProfileSeries series = 1; }},
 *       {@code RawProfileSeries { repeated types.v1.LabelPair labels = 1; repeated RawSample samples = 2; }},
 *       {@code RawSample { bytes raw_profile = 1; string ID = 2; }}, {@code LabelPair { string name = 1; string value = 2; }}.</li>
 * </ul>
 * A protobuf map entry is a message with the key in field 1 and the value in field 2.
 */
public final class PyroscopeProtos {
    public static final String FORMAT = "pyroscope";

    static final int MAP_ENTRY_KEY = 1;
    static final int MAP_ENTRY_VALUE = 2;
    static final int SNAPSHOT_CONTEXTS = 1;
    static final int SNAPSHOT_STRINGS = 2;
    static final int CONTEXT_LABELS = 1;
    static final int PUSH_SERIES = 1;
    static final int SERIES_LABELS = 1;
    static final int SERIES_SAMPLES = 2;
    static final int LABEL_PAIR_NAME = 1;
    static final int LABEL_PAIR_VALUE = 2;
    static final int RAW_SAMPLE_RAW_PROFILE = 1;
    static final int RAW_SAMPLE_ID = 2;

    private PyroscopeProtos() {
    }

    /**
     * Decodes a LabelsSnapshot (gzipped or raw). Label names are made valid Continuo names ({@code _} for other
     * characters); a context refers to string ids that must exist.
     */
    public static LabelsSnapshot readLabelsSnapshot(byte[] bytes, DecodeLimits limits) {
        byte[] data = Gzip.maybeDecompress(bytes, limits, FORMAT);
        WireReader in = new WireReader(FORMAT, data);
        Map<Long, String> strings = new HashMap<>();
        // Contexts may precede the strings they use: keep (context, offset, name id, value id) and resolve after.
        List<long[]> contexts = new ArrayList<>();
        while (!in.atEnd()) {
            int tag = in.tag();
            switch (WireReader.field(tag)) {
                case SNAPSHOT_STRINGS -> {
                    long key = 0;
                    String value = "";
                    int token = in.push(tag);
                    while (!in.atEnd()) {
                        int t = in.tag();
                        switch (WireReader.field(t)) {
                            case MAP_ENTRY_KEY -> key = in.varint(t);
                            case MAP_ENTRY_VALUE -> value = in.string(t);
                            default -> in.skip(t);
                        }
                    }
                    in.pop(token);
                    if (strings.size() >= limits.maxStrings()) {
                        throw in.error("more than maxStrings " + limits.maxStrings() + " strings");
                    }
                    strings.put(key, value);
                }
                case SNAPSHOT_CONTEXTS -> {
                    if (contexts.size() >= limits.maxSamples()) {
                        throw in.error("more than maxSamples " + limits.maxSamples() + " contexts");
                    }
                    contexts.add(readContext(in, tag, limits));
                }
                default -> in.skip(tag);
            }
        }
        Map<Long, Labels> out = new HashMap<>(contexts.size() * 2);
        Map<String, String> names = new HashMap<>();
        for (long[] c : contexts) {
            Labels.Builder b = Labels.builder();
            for (int i = 2; i < c.length; i += 2) {
                String name = strings.get(c[i]);
                String value = strings.get(c[i + 1]);
                if (name == null || value == null) {
                    throw new ProfileFormatException(FORMAT, c[1], "context " + c[0] + " refers to unknown string id "
                            + (name == null ? c[i] : c[i + 1]));
                }
                b.put(names.computeIfAbsent(name, LabelNames::sanitize), value);
            }
            out.put(c[0], b.build());
        }
        return new LabelsSnapshot(out);
    }

    /** [context id, offset, name id, value id, name id, value id...]. */
    private static long[] readContext(WireReader in, int tag, DecodeLimits limits) {
        long offset = in.offset();
        long id = 0;
        long[] pairs = new long[8];
        int n = 2;
        int token = in.push(tag);
        while (!in.atEnd()) {
            int t = in.tag();
            switch (WireReader.field(t)) {
                case MAP_ENTRY_KEY -> id = in.varint(t);
                case MAP_ENTRY_VALUE -> {
                    int context = in.push(t);
                    while (!in.atEnd()) {
                        int ct = in.tag();
                        if (WireReader.field(ct) != CONTEXT_LABELS) {
                            in.skip(ct);
                            continue;
                        }
                        long key = 0;
                        long value = 0;
                        int entry = in.push(ct);
                        while (!in.atEnd()) {
                            int et = in.tag();
                            switch (WireReader.field(et)) {
                                case MAP_ENTRY_KEY -> key = in.varint(et);
                                case MAP_ENTRY_VALUE -> value = in.varint(et);
                                default -> in.skip(et);
                            }
                        }
                        in.pop(entry);
                        if ((n - 2) / 2 >= limits.maxLabelsPerSample()) {
                            throw in.error("context has more than maxLabelsPerSample " + limits.maxLabelsPerSample() + " labels");
                        }
                        if (n + 2 > pairs.length) {
                            pairs = Arrays.copyOf(pairs, pairs.length * 2);
                        }
                        pairs[n++] = key;
                        pairs[n++] = value;
                    }
                    in.pop(context);
                }
                default -> in.skip(t);
            }
        }
        in.pop(token);
        pairs[0] = id;
        pairs[1] = offset;
        return Arrays.copyOf(pairs, n);
    }

    /** Decodes a Connect/gRPC {@code push.v1.PushRequest} body (the message itself, without a gRPC frame header). */
    public static List<RawSeries> readPushRequest(byte[] bytes, DecodeLimits limits) {
        byte[] data = Gzip.maybeDecompress(bytes, limits, FORMAT);
        WireReader in = new WireReader(FORMAT, data);
        List<RawSeries> out = new ArrayList<>();
        int profiles = 0;
        while (!in.atEnd()) {
            int tag = in.tag();
            if (WireReader.field(tag) != PUSH_SERIES) {
                in.skip(tag);
                continue;
            }
            if (out.size() >= limits.maxSamples()) {
                throw in.error("more than maxSamples " + limits.maxSamples() + " series");
            }
            Labels.Builder labels = Labels.builder();
            int labelCount = 0;
            List<byte[]> raw = new ArrayList<>();
            int series = in.push(tag);
            while (!in.atEnd()) {
                int t = in.tag();
                switch (WireReader.field(t)) {
                    case SERIES_LABELS -> {
                        String name = "";
                        String value = "";
                        int pair = in.push(t);
                        while (!in.atEnd()) {
                            int pt = in.tag();
                            switch (WireReader.field(pt)) {
                                case LABEL_PAIR_NAME -> name = in.string(pt);
                                case LABEL_PAIR_VALUE -> value = in.string(pt);
                                default -> in.skip(pt);
                            }
                        }
                        in.pop(pair);
                        if (++labelCount > limits.maxLabelsPerSample()) {
                            throw in.error("series has more than maxLabelsPerSample " + limits.maxLabelsPerSample() + " labels");
                        }
                        labels.put(name, value); // a bad name is the model's ValidationException
                    }
                    case SERIES_SAMPLES -> {
                        byte[] profile = null;
                        int sample = in.push(t);
                        while (!in.atEnd()) {
                            int st = in.tag();
                            if (WireReader.field(st) == RAW_SAMPLE_RAW_PROFILE) {
                                profile = in.bytes(st);
                            } else {
                                in.skip(st); // RAW_SAMPLE_ID: not needed
                            }
                        }
                        in.pop(sample);
                        if (++profiles > limits.maxSamples()) {
                            throw in.error("more than maxSamples " + limits.maxSamples() + " profiles");
                        }
                        raw.add(profile == null ? new byte[0] : profile);
                    }
                    default -> in.skip(t);
                }
            }
            in.pop(series);
            out.add(new RawSeries(labels.build(), raw));
        }
        return out;
    }
}
