package io.continuo.formats.jfr.stream;

import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.jfr.stream.JfrType.JfrField;
import java.util.Map;

/**
 * A decoded event, constant or struct: its type and one value per field. Constant-pool fields hold their key and are
 * resolved against the chunk's pools when read (a key with no entry reads as null, as with the JDK's parser), so pools
 * may refer to each other in any order.
 */
public final class JfrObject {
    final JfrType type;
    final Object[] values;
    final Chunk chunk;

    JfrObject(JfrType type, Object[] values, Chunk chunk) {
        this.type = type;
        this.values = values;
        this.chunk = chunk;
    }

    public JfrType type() {
        return type;
    }

    public boolean hasField(String name) {
        return type.field(name) >= 0;
    }

    /** The field's value with constant-pool keys and string references resolved; null when absent or unresolved. */
    public Object get(String name) {
        int i = type.field(name);
        return i < 0 ? null : get(i);
    }

    Object get(int i) {
        JfrField f = type.fields.get(i);
        Object v = values[i];
        if (f.constantPool() && f.dimension() == 0 && v instanceof Long key) {
            return chunk.resolveString(f.type().pool.get(key));
        }
        return chunk.resolveString(v);
    }

    /** The value of the field at {@code index} (see {@link JfrType#field(String)}), resolved as {@link #get(String)}. */
    public Object value(int index) {
        return index < 0 || index >= values.length ? null : get(index);
    }

    /** A struct-valued field (resolved through its pool), or null. */
    public JfrObject object(String name) {
        return get(name) instanceof JfrObject o ? o : null;
    }

    /** An integral field's value; throws when the type has no such numeric field (as {@code RecordedObject} does). */
    public long getLong(String name) {
        Object v = get(name);
        if (v instanceof Long l) {
            return l;
        }
        throw new ProfileFormatException(JfrInput.FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                type.name + " has no integral field " + name);
    }

    /** A string field; a struct with a single string field (a {@code jdk.types.Symbol}) reads as that string. */
    public String getString(String name) {
        return asString(get(name));
    }

    static String asString(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof JfrObject o && o.type.fields.size() == 1 && o.type.fields.get(0).type().kind == JfrType.Kind.STRING) {
            return asString(o.get(0));
        }
        return null;
    }

    /** The elements of an array field (constant-pool keys resolved), or null when absent. */
    public Object[] array(String name) {
        int i = type.field(name);
        if (i < 0 || !(values[i] instanceof Object[] raw)) {
            return null;
        }
        JfrField f = type.fields.get(i);
        Object[] out = new Object[raw.length];
        for (int k = 0; k < raw.length; k++) {
            out[k] = f.constantPool() && raw[k] instanceof Long key ? chunk.resolveString(f.type().pool.get(key)) : chunk.resolveString(raw[k]);
        }
        return out;
    }

    /** The constant pools and time base of one chunk. */
    static final class Chunk {
        final Map<Long, JfrType> types;
        final long startNanos;
        final long startTicks;
        final double divisor;
        long stringType = -1;

        Chunk(Map<Long, JfrType> types, long startNanos, long startTicks, long ticksPerSecond) {
            this.types = types;
            this.startNanos = startNanos;
            this.startTicks = startTicks;
            // the JDK's TimeConverter divides in long arithmetic first; kept so times match RecordingFile exactly
            this.divisor = ticksPerSecond / 1_000_000_000L;
        }

        Object constant(long typeId, long key) {
            JfrType t = types.get(typeId);
            return t == null ? null : resolveString(t.pool.get(key));
        }

        Object resolveString(Object v) {
            if (v instanceof JfrInput.StringRef ref) {
                // one step only: a string constant that is itself a reference (even to itself) reads as null
                JfrType strings = types.get(stringType);
                Object s = strings == null ? null : strings.pool.get(ref.key());
                return s instanceof String ? s : null;
            }
            return v;
        }

        long nanos(long ticks) {
            return startNanos + (long) ((ticks - startTicks) / divisor);
        }
    }
}
