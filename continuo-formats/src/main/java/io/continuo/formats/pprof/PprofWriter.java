package io.continuo.formats.pprof;

import static io.continuo.formats.pprof.PprofFields.*;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.continuo.model.FlameTree;
import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.StackTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Encodes a {@link Profile} (or one column of a {@link FlameTree}, e.g. a query result) as pprof.
 *
 * <p>Each frame becomes one location with one line; each distinct (name, file) one function; sample labels become
 * string labels; the profile types become sample types (name/unit as in Continuo, which {@link PprofReader} maps
 * back to the same types). No mappings are written: frames are already symbolised.
 */
public final class PprofWriter {
    private static final int BUFFER_SIZE = 64 << 10;
    private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private final CodedOutputStream out;
    private final Map<String, Integer> strings = new LinkedHashMap<>();

    private PprofWriter(CodedOutputStream out) {
        this.out = out;
        string("");
    }

    /** Writes {@code profile} as pprof into {@code sink} (not closed), gzipped when asked. */
    public static void write(Profile profile, OutputStream sink, boolean gzip) throws IOException {
        GZIPOutputStream gz = gzip ? new GZIPOutputStream(new NonClosing(sink), BUFFER_SIZE) : null;
        CodedOutputStream coded = CodedOutputStream.newInstance(gz != null ? gz : sink, BUFFER_SIZE);
        new PprofWriter(coded).encode(profile);
        coded.flush();
        if (gz != null) {
            gz.finish();
            gz.flush();
        }
    }

    public static byte[] toBytes(Profile profile, boolean gzip) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(profile, bytes, gzip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes one column of a flame tree (for example a query result) as a single-type pprof profile: every node with
     * a self value is a sample whose stack is the node's path.
     */
    public static void write(ProfileType type, FlameTree tree, int column, OutputStream sink, boolean gzip) throws IOException {
        write(toProfile(type, tree, column), sink, gzip);
    }

    /** A single-column profile holding the stacks and self values of one column of {@code tree}. */
    public static Profile toProfile(ProfileType type, FlameTree tree, int column) {
        ProfileBuilder builder = new ProfileBuilder(List.of(type), Integer.MAX_VALUE);
        Map<String, Integer> frames = new HashMap<>();
        tree.forEachStack(column, (path, value) -> {
            int stack = StackTable.ROOT;
            for (String name : path) {
                stack = builder.childStack(stack, frames.computeIfAbsent(name, n -> builder.frame(Frame.of(n))));
            }
            builder.addValue(stack, 0, value, Labels.EMPTY);
        });
        return builder.build();
    }

    private int string(String s) {
        Integer id = strings.get(s);
        if (id == null) {
            id = strings.size();
            strings.put(s, id);
        }
        return id;
    }

    private void encode(Profile profile) throws IOException {
        List<ProfileType> types = profile.types();
        for (ProfileType type : types) {
            writeValueType(PROFILE_SAMPLE_TYPE, type.name(), type.unit());
        }
        writeSamples(profile);
        writeSymbols(profile);
        if (profile.startNanos() != 0) {
            out.writeInt64(PROFILE_TIME_NANOS, profile.startNanos());
        }
        if (profile.durationNanos() != 0) {
            out.writeInt64(PROFILE_DURATION_NANOS, profile.durationNanos());
        }
        ProfileType timeType = types.stream().filter(t -> ProfileType.NANOSECONDS.equals(t.unit())).findFirst().orElse(null);
        if (profile.periodNanos() > 0 && timeType != null) {
            writeValueType(PROFILE_PERIOD_TYPE, timeType.name(), ProfileType.NANOSECONDS);
            out.writeInt64(PROFILE_PERIOD, profile.periodNanos());
        } else if (profile.periodNanos() > 0 || timeType == null) {
            // no time type: the period is one unit of the last sample type (what tools show by default)
            ProfileType last = types.get(types.size() - 1);
            writeValueType(PROFILE_PERIOD_TYPE, last.name(), last.unit());
            out.writeInt64(PROFILE_PERIOD, 1);
        }
        // Written last: indexes were assigned while writing everything above.
        for (String s : strings.keySet()) {
            out.writeString(PROFILE_STRING_TABLE, s);
        }
    }

    private void writeValueType(int field, String name, String unit) throws IOException {
        int type = string(name);
        int unitId = string(unit);
        out.writeTag(field, LENGTH_DELIMITED);
        out.writeUInt32NoTag(CodedOutputStream.computeInt64Size(VALUE_TYPE_TYPE, type)
                + CodedOutputStream.computeInt64Size(VALUE_TYPE_UNIT, unitId));
        out.writeInt64(VALUE_TYPE_TYPE, type);
        out.writeInt64(VALUE_TYPE_UNIT, unitId);
    }

    private void writeSamples(Profile profile) throws IOException {
        StackTable stacks = profile.stacks();
        int width = profile.types().size();
        int[][] labelIds = new int[profile.labelSets().size()][];
        for (int s = 0; s < profile.sampleCount(); s++) {
            int stack = profile.stack(s);
            int locationsSize = 0;
            for (int st = stack; st != StackTable.ROOT; st = stacks.parent(st)) {
                locationsSize += CodedOutputStream.computeUInt64SizeNoTag(stacks.frame(st) + 1L);
            }
            int valuesSize = 0;
            for (int t = 0; t < width; t++) {
                valuesSize += CodedOutputStream.computeInt64SizeNoTag(profile.value(s, t));
            }
            int labelSet = profile.sampleLabelIndex(s);
            int[] labels = labelIds[labelSet];
            if (labels == null) {
                Labels l = profile.labelSets().get(labelSet);
                labels = new int[l.size() * 2];
                for (int i = 0; i < l.size(); i++) {
                    labels[2 * i] = string(l.name(i));
                    labels[2 * i + 1] = string(l.value(i));
                }
                labelIds[labelSet] = labels;
            }
            int size = 0;
            if (locationsSize > 0) {
                size += CodedOutputStream.computeTagSize(SAMPLE_LOCATION_ID)
                        + CodedOutputStream.computeUInt32SizeNoTag(locationsSize) + locationsSize;
            }
            size += CodedOutputStream.computeTagSize(SAMPLE_VALUE) + CodedOutputStream.computeUInt32SizeNoTag(valuesSize) + valuesSize;
            for (int i = 0; i < labels.length; i += 2) {
                int labelSize = labelSize(labels[i], labels[i + 1]);
                size += CodedOutputStream.computeTagSize(SAMPLE_LABEL) + CodedOutputStream.computeUInt32SizeNoTag(labelSize) + labelSize;
            }
            out.writeTag(PROFILE_SAMPLE, LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
            if (locationsSize > 0) {
                out.writeTag(SAMPLE_LOCATION_ID, LENGTH_DELIMITED);
                out.writeUInt32NoTag(locationsSize);
                for (int st = stack; st != StackTable.ROOT; st = stacks.parent(st)) {
                    out.writeUInt64NoTag(stacks.frame(st) + 1L); // leaf first, as pprof wants
                }
            }
            out.writeTag(SAMPLE_VALUE, LENGTH_DELIMITED);
            out.writeUInt32NoTag(valuesSize);
            for (int t = 0; t < width; t++) {
                out.writeInt64NoTag(profile.value(s, t));
            }
            for (int i = 0; i < labels.length; i += 2) {
                out.writeTag(SAMPLE_LABEL, LENGTH_DELIMITED);
                out.writeUInt32NoTag(labelSize(labels[i], labels[i + 1]));
                out.writeInt64(LABEL_KEY, labels[i]);
                out.writeInt64(LABEL_STR, labels[i + 1]);
            }
        }
    }

    private static int labelSize(int key, int str) {
        return CodedOutputStream.computeInt64Size(LABEL_KEY, key) + CodedOutputStream.computeInt64Size(LABEL_STR, str);
    }

    /** Location id = frame index + 1; function id per distinct (name, file). */
    private void writeSymbols(Profile profile) throws IOException {
        Map<Frame, Integer> functions = new LinkedHashMap<>();
        int frameCount = profile.frames().size();
        for (int f = 0; f < frameCount; f++) {
            Frame frame = profile.frames().get(f);
            Frame key = new Frame(frame.name(), frame.file(), 0);
            Integer id = functions.get(key);
            if (id == null) {
                id = functions.size() + 1;
                functions.put(key, id);
            }
            long locationId = f + 1L;
            int line = frame.line();
            int lineSize = CodedOutputStream.computeUInt64Size(LINE_FUNCTION_ID, id)
                    + (line != 0 ? CodedOutputStream.computeInt64Size(LINE_LINE, line) : 0);
            int size = CodedOutputStream.computeUInt64Size(LOCATION_ID, locationId)
                    + CodedOutputStream.computeTagSize(LOCATION_LINE) + CodedOutputStream.computeUInt32SizeNoTag(lineSize) + lineSize;
            out.writeTag(PROFILE_LOCATION, LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
            out.writeUInt64(LOCATION_ID, locationId);
            out.writeTag(LOCATION_LINE, LENGTH_DELIMITED);
            out.writeUInt32NoTag(lineSize);
            out.writeUInt64(LINE_FUNCTION_ID, id);
            if (line != 0) {
                out.writeInt64(LINE_LINE, line);
            }
        }
        for (Map.Entry<Frame, Integer> e : functions.entrySet()) {
            int name = string(e.getKey().name());
            int file = string(e.getKey().file());
            int size = CodedOutputStream.computeUInt64Size(FUNCTION_ID, e.getValue())
                    + CodedOutputStream.computeInt64Size(FUNCTION_NAME, name)
                    + CodedOutputStream.computeInt64Size(FUNCTION_SYSTEM_NAME, name)
                    + (file != 0 ? CodedOutputStream.computeInt64Size(FUNCTION_FILENAME, file) : 0);
            out.writeTag(PROFILE_FUNCTION, LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
            out.writeUInt64(FUNCTION_ID, e.getValue());
            out.writeInt64(FUNCTION_NAME, name);
            out.writeInt64(FUNCTION_SYSTEM_NAME, name);
            if (file != 0) {
                out.writeInt64(FUNCTION_FILENAME, file);
            }
        }
    }

    /** Lets the gzip trailer be written without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
