package io.continuo.formats.jfr.stream;

import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.jfr.stream.JfrType.JfrField;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Streams the events of a JFR recording held in memory, chunk by chunk, without temporary files: for each chunk the
 * header, then the metadata event (class and field descriptors), then every constant pool along the checkpoint chain,
 * then the events in file order. Events whose type the caller does not want are skipped by their size without reading
 * a field; wanted ones are decoded into {@link JfrObject}s whose constant-pool fields resolve lazily.
 *
 * <p>Malformed input fails with a {@link ProfileFormatException} naming the byte offset. Every count and length is
 * checked against the bytes left before anything is allocated, and nesting (metadata elements, inline structs) has a
 * fixed depth limit, so neither memory nor stack depth can be driven by a declared size.
 */
public final class JfrChunkParser {
    static final int CHUNK_HEADER_SIZE = 68;
    private static final int CHUNK_MAGIC = 0x464c5200;
    private static final int FEATURE_COMPRESSED_INTS = 1;
    private static final long METADATA_EVENT = 0;
    private static final long CHECKPOINT_EVENT = 1;
    private static final int MAX_ELEMENT_DEPTH = 16;
    private static final int MAX_STRUCT_DEPTH = 16;

    /** Receives each wanted event; its start and duration are in epoch nanoseconds as RecordingFile computes them. */
    public interface Handler {
        void event(JfrObject event, long startNanos, long durationNanos);

        /** An event of a type not wanted, skipped unread (counted for diagnostics). */
        default void skipped(JfrType type) {
        }
    }

    private final ByteBuffer data;
    private final Predicate<String> wanted;
    private final Handler handler;

    private JfrChunkParser(ByteBuffer data, Predicate<String> wanted, Handler handler) {
        this.data = data;
        this.wanted = wanted;
        this.handler = handler;
    }

    /** Parses every chunk of {@code data} (from position 0 to its limit), passing events of wanted type names on. */
    public static void parse(ByteBuffer data, Predicate<String> wanted, Handler handler) {
        new JfrChunkParser(data, wanted, handler).run();
    }

    private void run() {
        long end = data.limit();
        long pos = 0;
        if (end < CHUNK_HEADER_SIZE) {
            throw new ProfileFormatException(JfrInput.FORMAT, 0, "input of " + end + " bytes is shorter than a chunk header");
        }
        while (pos < end) {
            if (end - pos < CHUNK_HEADER_SIZE) {
                throw new ProfileFormatException(JfrInput.FORMAT, pos, "truncated chunk header");
            }
            if (data.getInt((int) pos) != CHUNK_MAGIC) {
                throw new ProfileFormatException(JfrInput.FORMAT, pos, pos == 0 ? "not a JFR recording (bad magic)" : "bad chunk magic");
            }
            long size = data.getLong((int) pos + 8);
            if (size < CHUNK_HEADER_SIZE || size > end - pos) {
                throw new ProfileFormatException(JfrInput.FORMAT, pos + 8, "chunk size " + size
                        + " does not fit the " + (end - pos) + " bytes left (truncated recording?)");
            }
            chunk((int) pos, (int) (pos + size));
            pos += size;
        }
    }

    private void chunk(int start, int end) {
        int major = data.getShort(start + 4) & 0xffff;
        if (major != 2) {
            throw new ProfileFormatException(JfrInput.FORMAT, start + 4, "unsupported JFR format version " + major);
        }
        long cpOffset = data.getLong(start + 16);
        long metaOffset = data.getLong(start + 24);
        long startNanos = data.getLong(start + 32);
        long startTicks = data.getLong(start + 48);
        long ticksPerSecond = data.getLong(start + 56);
        int features = data.getInt(start + 64);
        checkOffset(start, end, cpOffset, 16, "constant pool");
        checkOffset(start, end, metaOffset, 24, "metadata");
        JfrInput in = new JfrInput(data, (features & FEATURE_COMPRESSED_INTS) != 0);
        Map<Long, JfrType> types = metadata(in, start + metaOffset, end);
        JfrObject.Chunk chunk = new JfrObject.Chunk(types, startNanos, startTicks, ticksPerSecond);
        for (JfrType t : types.values()) {
            if (t.kind == JfrType.Kind.STRING) {
                chunk.stringType = t.id;
            }
        }
        constantPools(in, start, start + cpOffset, end, types, chunk);
        events(in, start + CHUNK_HEADER_SIZE, end, types, chunk);
    }

    private static void checkOffset(int start, int end, long offset, int field, String what) {
        if (offset < CHUNK_HEADER_SIZE || offset >= end - start) {
            throw new ProfileFormatException(JfrInput.FORMAT, start + field, what + " offset " + offset + " outside its chunk");
        }
    }

    /** Opens the event at {@code pos}: reads its size, limits the input to it and returns its type id. */
    private static long eventHeader(JfrInput in, long pos, int end) {
        in.window(pos, end);
        int size = in.varint();
        if (size <= 0 || size > end - pos) {
            throw in.fail(pos, "event size " + size + " does not fit the " + (end - pos) + " bytes left in the chunk");
        }
        in.window(in.position(), pos + size);
        return in.varlong();
    }

    // ---- metadata ----------------------------------------------------------------------------------------------

    /** A metadata class element's attributes and its field elements' attributes; all else is skipped. */
    private static final class ClassDesc {
        final Map<String, String> attributes;
        final List<Map<String, String>> fields = new ArrayList<>();

        ClassDesc(Map<String, String> attributes) {
            this.attributes = attributes;
        }
    }

    /** The metadata's string table: offsets of the strings, decoded only when a class or field element needs one. */
    private static final class MetaStrings {
        final JfrInput in;
        final int[] offsets;
        final String[] decoded;

        MetaStrings(JfrInput in, int n) {
            this.in = in;
            this.offsets = new int[n];
            this.decoded = new String[n];
        }

        int index() {
            int at = in.position();
            int i = in.varint();
            if (i < 0 || i >= offsets.length) {
                throw in.fail(at, "metadata string index " + i + " outside its " + offsets.length + " strings");
            }
            return i;
        }

        String get(int i) {
            String s = decoded[i];
            if (s == null) {
                s = in.inlineStringAt(offsets[i]);
                decoded[i] = s == null ? "" : s;
            }
            return decoded[i];
        }
    }

    private Map<Long, JfrType> metadata(JfrInput in, long pos, int end) {
        long type = eventHeader(in, pos, end);
        if (type != METADATA_EVENT) {
            throw in.fail(pos, "metadata offset points at an event of type " + type);
        }
        in.varlong(); // start
        in.varlong(); // duration
        in.varlong(); // metadata id
        int n = in.count("metadata string count");
        MetaStrings strings = new MetaStrings(in, n);
        for (int i = 0; i < n; i++) {
            strings.offsets[i] = in.skipString();
        }
        List<ClassDesc> classes = new ArrayList<>();
        element(in, strings, 0, classes, null);
        Map<Long, JfrType> types = new HashMap<>();
        for (ClassDesc c : classes) {
            long id = parseLong(in, c.attributes.get("id"), "class id");
            String name = c.attributes.get("name");
            if (name == null) {
                throw in.fail(pos, "metadata class " + id + " without a name");
            }
            types.put(id, new JfrType(id, name));
        }
        for (ClassDesc c : classes) {
            JfrType t = types.get(parseLong(in, c.attributes.get("id"), "class id"));
            List<JfrField> fields = new ArrayList<>(c.fields.size());
            for (Map<String, String> f : c.fields) {
                long typeId = parseLong(in, f.get("class"), "field class");
                JfrType ft = types.get(typeId);
                if (ft == null) {
                    throw in.fail(pos, "field " + f.get("name") + " of " + t.name + " has undeclared type " + typeId);
                }
                String dim = f.get("dimension");
                int dimension = dim == null ? 0 : (int) parseLong(in, dim, "field dimension");
                if (dimension < 0 || dimension > 1) {
                    throw in.fail(pos, "field " + f.get("name") + " has dimension " + dimension);
                }
                fields.add(new JfrField(f.get("name"), ft, "true".equals(f.get("constantPool")), dimension));
            }
            t.setFields(List.copyOf(fields));
        }
        return types;
    }

    private static long parseLong(JfrInput in, String value, String what) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw in.fail(in.position(), "metadata " + what + " is not a number: " + value);
        }
    }

    /**
     * Walks one metadata element (root, metadata, class, field, annotation, setting...). Classes sit at depth 2 and
     * their fields at depth 3; only those have their attributes decoded. Depth is capped, breadth costs input bytes.
     */
    private static void element(JfrInput in, MetaStrings strings, int depth, List<ClassDesc> classes, ClassDesc owner) {
        if (depth > MAX_ELEMENT_DEPTH) {
            throw in.fail(in.position(), "metadata nested deeper than " + MAX_ELEMENT_DEPTH);
        }
        int nameIndex = strings.index();
        boolean isClass = depth == 2 && "class".equals(strings.get(nameIndex));
        boolean isField = owner != null && depth == 3 && "field".equals(strings.get(nameIndex));
        int attributes = in.count("metadata attribute count");
        Map<String, String> attrs = isClass || isField ? new HashMap<>() : null;
        for (int i = 0; i < attributes; i++) {
            int key = strings.index();
            int value = strings.index();
            if (attrs != null) {
                attrs.put(strings.get(key), strings.get(value));
            }
        }
        ClassDesc cls = null;
        if (isClass) {
            cls = new ClassDesc(attrs);
            classes.add(cls);
        } else if (isField) {
            owner.fields.add(attrs);
        }
        int children = in.count("metadata child count");
        for (int i = 0; i < children; i++) {
            element(in, strings, depth + 1, classes, cls);
        }
    }

    // ---- constant pools ----------------------------------------------------------------------------------------

    private void constantPools(JfrInput in, int start, long first, int end, Map<Long, JfrType> types, JfrObject.Chunk chunk) {
        Set<Long> seen = new HashSet<>();
        long pos = first;
        while (true) {
            if (pos < start + CHUNK_HEADER_SIZE || pos >= end || !seen.add(pos)) {
                throw in.fail(pos, "constant-pool chain leads outside its chunk or loops");
            }
            long type = eventHeader(in, pos, end);
            if (type != CHECKPOINT_EVENT) {
                throw in.fail(pos, "constant-pool chain points at an event of type " + type);
            }
            in.varlong(); // start
            in.varlong(); // duration
            long delta = in.varlong();
            in.u1(); // checkpoint kind (flush, header, statics, thread)
            int poolCount = in.count("constant-pool count");
            for (int p = 0; p < poolCount; p++) {
                int at = in.position();
                long typeId = in.varlong();
                JfrType t = types.get(typeId);
                if (t == null) {
                    throw in.fail(at, "constant pool of undeclared type " + typeId);
                }
                Map<Long, Object> pool = t.pool;
                int count = in.count("constant count");
                for (int i = 0; i < count; i++) {
                    long key = in.varlong();
                    pool.put(key, value(in, t, chunk, 0));
                }
            }
            if (delta == 0) {
                return;
            }
            pos += delta;
        }
    }

    // ---- values ------------------------------------------------------------------------------------------------

    private static Object field(JfrInput in, JfrField f, JfrObject.Chunk chunk, int depth) {
        if (f.dimension() == 0) {
            return f.constantPool() ? Long.valueOf(in.varlong()) : value(in, f.type(), chunk, depth);
        }
        int n = in.count("array length");
        Object[] a = new Object[n];
        for (int i = 0; i < n; i++) {
            a[i] = f.constantPool() ? Long.valueOf(in.varlong()) : value(in, f.type(), chunk, depth);
        }
        return a;
    }

    private static Object value(JfrInput in, JfrType t, JfrObject.Chunk chunk, int depth) {
        switch (t.kind) {
            case BOOLEAN:
                return in.u1() != 0;
            case BYTE:
                return (long) (byte) in.u1();
            case CHAR:
                return (long) (char) in.u2OrVarint();
            case SHORT:
                return (long) (short) in.u2OrVarint();
            case INT:
                return (long) in.varint();
            case LONG:
                return in.varlong();
            case FLOAT:
                return (double) in.f4();
            case DOUBLE:
                return in.f8();
            case STRING:
                return in.string();
            default:
                break;
        }
        if (depth > MAX_STRUCT_DEPTH) {
            throw in.fail(in.position(), t.name + " nested deeper than " + MAX_STRUCT_DEPTH);
        }
        List<JfrField> fields = t.fields;
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = field(in, fields.get(i), chunk, depth + 1);
        }
        return new JfrObject(t, values, chunk);
    }

    // ---- events ------------------------------------------------------------------------------------------------

    private void events(JfrInput in, long first, int end, Map<Long, JfrType> types, JfrObject.Chunk chunk) {
        Map<Long, Boolean> wantedById = new HashMap<>();
        for (JfrType t : types.values()) {
            wantedById.put(t.id, wanted.test(t.name));
        }
        long pos = first;
        while (pos < end) {
            long typeId = eventHeader(in, pos, end);
            long next = in.limit();
            JfrType t = types.get(typeId);
            if (typeId > CHECKPOINT_EVENT && t != null && t.kind == JfrType.Kind.STRUCT && wantedById.get(typeId)) {
                JfrObject event = (JfrObject) value(in, t, chunk, 0);
                int startField = t.field("startTime");
                int durationField = t.field("duration");
                long startTicks = startField >= 0 && event.values[startField] instanceof Long l ? l : 0;
                long durationTicks = durationField >= 0 && event.values[durationField] instanceof Long l ? l : 0;
                long startNanos = chunk.nanos(startTicks);
                handler.event(event, startNanos, chunk.nanos(startTicks + durationTicks) - startNanos);
            } else if (typeId > CHECKPOINT_EVENT && t != null) {
                handler.skipped(t);
            }
            pos = next;
        }
    }
}
