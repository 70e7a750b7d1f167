package io.continuo.formats.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.continuo.model.Strings;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuo.formats.ProfileFormatException;

import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON to the binary request, driven by the generated descriptors, so the one binary decoder serves both.
 * Follows the OTLP/JSON rules (the Collector's {@code otlphttp} exporter with {@code encoding: json}): keys in
 * lowerCamelCase (the proto names are accepted too), 64-bit integers as numbers or strings, enums as numbers or
 * names, {@code traceId}/{@code spanId}/{@code profileId} as hex and other bytes as base64. Unknown keys are
 * ignored, as protobuf readers ignore unknown fields. protobuf-java-util's JsonFormat would bring Guava and Gson
 * and does not know OTLP's hex ids.
 */
public final class OtlpJson {
    public static final String FORMAT = "otlp-json";
    private static final ObjectMapper MAPPER = io.continuo.formats.internal.JsonBodies.MAPPER;

    /** AnyValue nests arrays and key-value lists; deeper than this is an attack, not telemetry. */
    private static final int MAX_DEPTH = 32;
    private static final Set<String> HEX_FIELDS = Set.of("trace_id", "span_id", "profile_id");

    private OtlpJson() {
    }

    /**
     * The binary {@code ExportProfilesServiceRequest} of an OTLP/JSON body.
     *
     * @throws ProfileFormatException (format {@value #FORMAT}) naming the path of what is wrong
     */
    public static byte[] toProtobuf(byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("invalid OTLP/JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("invalid OTLP/JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("invalid OTLP/JSON: expected an ExportProfilesServiceRequest object");
        }
        ExportProfilesServiceRequest.Builder request = ExportProfilesServiceRequest.newBuilder();
        merge(request, root, "", 0);
        return request.build().toByteArray();
    }

    private static void merge(Message.Builder builder, JsonNode object, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw invalid("invalid OTLP/JSON: nested deeper than " + MAX_DEPTH + " levels at " + path);
        }
        if (!object.isObject()) {
            throw invalid("invalid OTLP/JSON: " + path + " must be an object");
        }
        Descriptor type = builder.getDescriptorForType();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            FieldDescriptor field = field(type, e.getKey());
            JsonNode value = e.getValue();
            if (field == null || value.isNull()) {
                continue;
            }
            String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (field.isRepeated()) {
                if (!value.isArray()) {
                    throw invalid("invalid OTLP/JSON: " + at + " must be an array");
                }
                for (int i = 0; i < value.size(); i++) {
                    builder.addRepeatedField(field, value(builder, field, value.get(i), at + "[" + i + "]", depth));
                }
            } else {
                builder.setField(field, value(builder, field, value, at, depth));
            }
        }
    }

    private static FieldDescriptor field(Descriptor type, String key) {
        for (FieldDescriptor f : type.getFields()) {
            if (f.getJsonName().equals(key) || f.getName().equals(key)) {
                return f;
            }
        }
        return null;
    }

    private static Object value(Message.Builder parent, FieldDescriptor field, JsonNode v, String at, int depth) {
        try {
            return switch (field.getJavaType()) {
                case MESSAGE -> {
                    Message.Builder child = parent.newBuilderForField(field);
                    merge(child, v, at, depth + 1);
                    yield child.build();
                }
                case INT -> Math.toIntExact(integer(v, at));
                case LONG -> integer(v, at);
                case BOOLEAN -> {
                    if (!v.isBoolean()) {
                        throw invalid("invalid OTLP/JSON: " + at + " must be true or false");
                    }
                    yield v.booleanValue();
                }
                case DOUBLE -> v.isNumber() ? v.doubleValue() : Double.parseDouble(v.asText());
                case FLOAT -> v.isNumber() ? v.floatValue() : Float.parseFloat(v.asText());
                case STRING -> {
                    if (!v.isTextual()) {
                        throw invalid("invalid OTLP/JSON: " + at + " must be a string");
                    }
                    yield v.textValue();
                }
                case BYTE_STRING -> ByteString.copyFrom(HEX_FIELDS.contains(field.getName())
                        ? HexFormat.of().parseHex(v.asText()) : Base64.getDecoder().decode(v.asText()));
                case ENUM -> enumValue(field, v, at);
            };
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw invalid("invalid OTLP/JSON: " + at + " = '" + Strings.abbreviate(v.asText(), 40)
                    + "': " + e.getMessage());
        }
    }

    /** JSON numbers, or strings holding them, as OTLP/JSON writes 64-bit integers. */
    private static long integer(JsonNode v, String at) {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isTextual()) {
            String s = v.textValue();
            // fixed64 and uint64 values past Long.MAX_VALUE arrive as unsigned decimal strings
            return s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
        }
        throw invalid("invalid OTLP/JSON: " + at + " must be an integer");
    }

    private static EnumValueDescriptor enumValue(FieldDescriptor field, JsonNode v, String at) {
        EnumValueDescriptor e = v.isIntegralNumber() ? field.getEnumType().findValueByNumber(v.intValue())
                : field.getEnumType().findValueByName(v.asText());
        if (e == null) {
            throw invalid("invalid OTLP/JSON: " + at + " is not a value of " + field.getEnumType().getName());
        }
        return e;
    }

    private static ProfileFormatException invalid(String message) {
        return new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, message);
    }
}
