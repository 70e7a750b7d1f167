package io.continuo.formats.jfr.stream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A class described by a chunk's metadata: an event type, a constant-pool type, a struct or a primitive. */
public final class JfrType {
    /** How a value of this type is encoded; every non-primitive type is a struct of its fields. */
    enum Kind { BOOLEAN, BYTE, CHAR, SHORT, INT, LONG, FLOAT, DOUBLE, STRING, STRUCT }

    final long id;
    final String name;
    final Kind kind;
    List<JfrField> fields = List.of();
    /** This type's constant pool in its chunk (types are per chunk too), filled by the checkpoint events. */
    final Map<Long, Object> pool = new HashMap<>();
    private Map<String, Integer> index = Map.of();

    JfrType(long id, String name) {
        this.id = id;
        this.name = name;
        this.kind = switch (name) {
            case "boolean" -> Kind.BOOLEAN;
            case "byte" -> Kind.BYTE;
            case "char" -> Kind.CHAR;
            case "short" -> Kind.SHORT;
            case "int" -> Kind.INT;
            case "long" -> Kind.LONG;
            case "float" -> Kind.FLOAT;
            case "double" -> Kind.DOUBLE;
            case "java.lang.String" -> Kind.STRING;
            default -> Kind.STRUCT;
        };
    }

    void setFields(List<JfrField> fields) {
        this.fields = fields;
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            m.putIfAbsent(fields.get(i).name(), i);
        }
        this.index = m;
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The index of a field, or -1 when the type has none by that name. */
    public int field(String fieldName) {
        Integer i = index.get(fieldName);
        return i == null ? -1 : i;
    }

    /** A field: its value type, whether it is stored as a constant-pool key, and its array dimension (0 or 1). */
    record JfrField(String name, JfrType type, boolean constantPool, int dimension) {
    }
}
