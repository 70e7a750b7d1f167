package io.continuo.formats.otlp;

import com.google.protobuf.ByteString;
import io.continuo.formats.otlp.proto.common.v1.AnyValue;
import io.continuo.formats.otlp.proto.common.v1.KeyValue;
import io.continuo.formats.otlp.proto.profiles.v1development.Function;
import io.continuo.formats.otlp.proto.profiles.v1development.KeyValueAndUnit;
import io.continuo.formats.otlp.proto.profiles.v1development.Line;
import io.continuo.formats.otlp.proto.profiles.v1development.Link;
import io.continuo.formats.otlp.proto.profiles.v1development.Location;
import io.continuo.formats.otlp.proto.profiles.v1development.Mapping;
import io.continuo.formats.otlp.proto.profiles.v1development.ProfilesDictionary;
import io.continuo.formats.otlp.proto.profiles.v1development.Stack;
import io.continuo.formats.otlp.proto.profiles.v1development.ValueType;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@code ProfilesDictionary} the way OpenTelemetry senders do (the eBPF profiler's and the Collector's
 * pdata): every table starts with its zero entry, strings and functions are interned.
 */
final class OtlpTestDictionary {
    final ProfilesDictionary.Builder d = ProfilesDictionary.newBuilder();
    private final Map<String, Integer> strings = new HashMap<>();
    private final Map<String, Integer> functions = new HashMap<>();

    OtlpTestDictionary() {
        str("");
        d.addMappingTable(Mapping.getDefaultInstance());
        d.addLocationTable(Location.getDefaultInstance());
        d.addFunctionTable(Function.getDefaultInstance());
        d.addLinkTable(Link.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8])));
        d.addAttributeTable(KeyValueAndUnit.getDefaultInstance());
        d.addStackTable(Stack.getDefaultInstance());
    }

    int str(String s) {
        return strings.computeIfAbsent(s, k -> {
            d.addStringTable(k);
            return d.getStringTableCount() - 1;
        });
    }

    int function(String name) {
        return functions.computeIfAbsent(name, n -> {
            d.addFunctionTable(Function.newBuilder().setNameStrindex(str(n)).setFilenameStrindex(str(n.replace('.', '/') + ".src")));
            return d.getFunctionTableCount() - 1;
        });
    }

    /** One location whose lines are the given functions, the innermost (inlined) first, the caller last. */
    int location(String... innermostFirst) {
        Location.Builder l = Location.newBuilder();
        int line = 10;
        for (String f : innermostFirst) {
            l.addLines(Line.newBuilder().setFunctionIndex(function(f)).setLine(line++));
        }
        d.addLocationTable(l);
        return d.getLocationTableCount() - 1;
    }

    /** An unsymbolized native frame, as the eBPF profiler sends them: a mapping and an address, no lines. */
    int nativeLocation(String file, long start, long fileOffset, long address) {
        d.addMappingTable(Mapping.newBuilder().setMemoryStart(start).setMemoryLimit(start + 0x100000)
                .setFileOffset(fileOffset).setFilenameStrindex(str(file)));
        d.addLocationTable(Location.newBuilder().setMappingIndex(d.getMappingTableCount() - 1).setAddress(address));
        return d.getLocationTableCount() - 1;
    }

    int stack(int... locationsLeafFirst) {
        Stack.Builder s = Stack.newBuilder();
        for (int l : locationsLeafFirst) {
            s.addLocationIndices(l);
        }
        d.addStackTable(s);
        return d.getStackTableCount() - 1;
    }

    /** A stack of one single-line location per function, leaf first. */
    int stackOf(String... leafFirst) {
        int[] locations = new int[leafFirst.length];
        for (int i = 0; i < leafFirst.length; i++) {
            locations[i] = location(leafFirst[i]);
        }
        return stack(locations);
    }

    int attribute(String key, String value) {
        d.addAttributeTable(KeyValueAndUnit.newBuilder().setKeyStrindex(str(key)).setValue(AnyValue.newBuilder().setStringValue(value)));
        return d.getAttributeTableCount() - 1;
    }

    int intAttribute(String key, long value) {
        d.addAttributeTable(KeyValueAndUnit.newBuilder().setKeyStrindex(str(key)).setValue(AnyValue.newBuilder().setIntValue(value)));
        return d.getAttributeTableCount() - 1;
    }

    int link(byte[] traceId, byte[] spanId) {
        d.addLinkTable(Link.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId)));
        return d.getLinkTableCount() - 1;
    }

    ValueType type(String name, String unit) {
        return ValueType.newBuilder().setTypeStrindex(str(name)).setUnitStrindex(str(unit)).build();
    }

    static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static KeyValue kv(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    ProfilesDictionary build() {
        return d.build();
    }
}
