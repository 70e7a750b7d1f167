package io.continuo.server.pyroscope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.continuo.model.Strings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * The proto3 JSON mapping, which is Connect's JSON encoding: keys are the fields' JSON names (lowerCamelCase),
 * 64-bit integers are strings, enums are their value names, bytes are base64, fields at their default are left out.
 * Parsing accepts JSON or proto field names, numbers or strings for integers, names or numbers for enums, and skips
 * unknown fields (as Connect servers do), so newer clients with more fields still work.
 * Driven by the message descriptors, so it needs no code per message.
 */
final class ProtoJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private ProtoJson() {
    }

    static byte[] print(Message message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeMessage(g, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeMessage(JsonGenerator g, Message message) throws IOException {
        g.writeStartObject();
        for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
            if (f.isRepeated()) {
                int n = message.getRepeatedFieldCount(f);
                if (n == 0) {
                    continue;
                }
                g.writeFieldName(f.getJsonName());
                g.writeStartArray();
                for (int i = 0; i < n; i++) {
                    writeValue(g, f, message.getRepeatedField(f, i));
                }
                g.writeEndArray();
            } else if (f.hasPresence() ? message.hasField(f) : !isDefault(message.getField(f))) {
                g.writeFieldName(f.getJsonName());
                writeValue(g, f, message.getField(f));
            }
        }
        g.writeEndObject();
    }

    private static boolean isDefault(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return d == 0 && 1 / d > 0; // -0.0 is not the default
        }
        if (v instanceof Number n) {
            return n.longValue() == 0;
        }
        if (v instanceof Boolean b) {
            return !b;
        }
        if (v instanceof String s) {
            return s.isEmpty();
        }
        if (v instanceof ByteString b) {
            return b.isEmpty();
        }
        return v instanceof EnumValueDescriptor e && e.getNumber() == 0;
    }

    private static void writeValue(JsonGenerator g, FieldDescriptor f, Object v) throws IOException {
        switch (f.getType()) {
            case INT32, SINT32, SFIXED32 -> g.writeNumber((Integer) v);
            case UINT32, FIXED32 -> g.writeNumber(Integer.toUnsignedLong((Integer) v));
            case INT64, SINT64, SFIXED64 -> g.writeString(Long.toString((Long) v));
            case UINT64, FIXED64 -> g.writeString(Long.toUnsignedString((Long) v));
            case FLOAT, DOUBLE -> {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d)) {
                    g.writeString("NaN");
                } else if (Double.isInfinite(d)) {
                    g.writeString(d > 0 ? "Infinity" : "-Infinity");
                } else if (f.getType() == FieldDescriptor.Type.FLOAT) {
                    g.writeNumber((Float) v);
                } else {
                    g.writeNumber(d);
                }
            }
            case BOOL -> g.writeBoolean((Boolean) v);
            case STRING -> g.writeString((String) v);
            case BYTES -> g.writeString(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> {
                EnumValueDescriptor e = (EnumValueDescriptor) v;
                if (e.getIndex() < 0) {
                    g.writeNumber(e.getNumber());
                } else {
                    g.writeString(e.getName());
                }
            }
            case MESSAGE, GROUP -> writeMessage(g, (Message) v);
        }
    }

    /** Parses a JSON object into {@code builder}; malformed input is an invalid_argument naming the field. */
    static void parse(byte[] json, Message.Builder builder) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw ConnectException.invalidArgument("invalid JSON request body: " + Strings.abbreviate(e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage(), 200));
        }
        if (root == null || root.isMissingNode()) {
            return; // an empty body is the empty message
        }
        if (!root.isObject()) {
            throw ConnectException.invalidArgument("invalid JSON request body: expected an object");
        }
        readMessage(root, builder, "");
    }

    private static void readMessage(JsonNode node, Message.Builder builder, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            FieldDescriptor f = field(builder, e.getKey());
            JsonNode value = e.getValue();
            if (f == null || value.isNull()) {
                continue;
            }
            String where = path + f.getJsonName();
            if (f.isRepeated()) {
                if (!value.isArray()) {
                    throw ConnectException.invalidArgument("invalid JSON for '" + where + "': expected an array");
                }
                for (JsonNode item : value) {
                    Object v = readValue(item, f, builder, where + "[]");
                    if (v != null) {
                        builder.addRepeatedField(f, v);
                    }
                }
            } else {
                Object v = readValue(value, f, builder, where);
                if (v != null) {
                    builder.setField(f, v);
                }
            }
        }
    }

    private static FieldDescriptor field(Message.Builder builder, String key) {
        for (FieldDescriptor f : builder.getDescriptorForType().getFields()) {
            if (f.getJsonName().equals(key) || f.getName().equals(key)) {
                return f;
            }
        }
        return null;
    }

    private static Object readValue(JsonNode v, FieldDescriptor f, Message.Builder parent, String where) {
        try {
            return switch (f.getType()) {
                case INT32, SINT32, SFIXED32 -> integer(v, where, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
                case UINT32, FIXED32 -> (int) integer(v, where, 0, 0xFFFF_FFFFL).longValue();
                case INT64, SINT64, SFIXED64 -> integer(v, where, Long.MIN_VALUE, Long.MAX_VALUE).longValue();
                case UINT64, FIXED64 -> unsigned64(v, where);
                case DOUBLE -> floating(v, where);
                case FLOAT -> (float) floating(v, where);
                case BOOL -> {
                    if (!v.isBoolean()) {
                        throw bad(where, "expected true or false");
                    }
                    yield v.booleanValue();
                }
                case STRING -> {
                    if (!v.isTextual()) {
                        throw bad(where, "expected a string");
                    }
                    yield v.textValue();
                }
                case BYTES -> {
                    if (!v.isTextual()) {
                        throw bad(where, "expected base64 text");
                    }
                    String s = v.textValue();
                    yield ByteString.copyFrom(s.indexOf('-') >= 0 || s.indexOf('_') >= 0
                            ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s));
                }
                case ENUM -> enumValue(v, f, where);
                case MESSAGE, GROUP -> {
                    if (!v.isObject()) {
                        throw bad(where, "expected an object");
                    }
                    Message.Builder child = parent.newBuilderForField(f);
                    readMessage(v, child, where + ".");
                    yield child.build();
                }
            };
        } catch (IllegalArgumentException e) {
            throw bad(where, e.getMessage());
        }
    }

    private static BigDecimal number(JsonNode v, String where) {
        try {
            if (v.isNumber()) {
                return v.decimalValue();
            }
            if (v.isTextual()) {
                return new BigDecimal(v.textValue().trim());
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(where, "expected a number, got " + Strings.abbreviate(v.toString(), 40));
    }

    private static BigInteger integer(JsonNode v, String where, long min, long max) {
        BigDecimal d = number(v, where);
        BigInteger i;
        try {
            i = d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw bad(where, "expected an integer, got " + d);
        }
        if (i.compareTo(BigInteger.valueOf(min)) < 0 || i.compareTo(BigInteger.valueOf(max)) > 0) {
            throw bad(where, "integer out of range: " + i);
        }
        return i;
    }

    private static long unsigned64(JsonNode v, String where) {
        BigInteger i;
        try {
            i = number(v, where).toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw bad(where, "expected an integer");
        }
        if (i.signum() < 0 || i.compareTo(UINT64_MAX) > 0) {
            throw bad(where, "integer out of range: " + i);
        }
        return i.longValue();
    }

    private static double floating(JsonNode v, String where) {
        if (v.isTextual()) {
            switch (v.textValue()) {
                case "NaN" -> {
                    return Double.NaN;
                }
                case "Infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                }
            }
        }
        return number(v, where).doubleValue();
    }

    /** Unknown enum names are skipped (null), as Connect servers discard unknown values. */
    private static EnumValueDescriptor enumValue(JsonNode v, FieldDescriptor f, String where) {
        if (v.isTextual()) {
            return f.getEnumType().findValueByName(v.textValue());
        }
        int n = integer(v, where, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
        return f.getEnumType().findValueByNumberCreatingIfUnknown(n);
    }

    private static ConnectException bad(String where, String what) {
        return ConnectException.invalidArgument("invalid JSON for '" + where + "': " + what);
    }
}
