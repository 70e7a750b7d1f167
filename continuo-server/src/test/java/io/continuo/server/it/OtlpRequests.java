package io.continuo.server.it;

import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.continuo.formats.otlp.proto.common.v1.AnyValue;
import io.continuo.formats.otlp.proto.common.v1.KeyValue;
import io.continuo.formats.otlp.proto.profiles.v1development.Function;
import io.continuo.formats.otlp.proto.profiles.v1development.KeyValueAndUnit;
import io.continuo.formats.otlp.proto.profiles.v1development.Line;
import io.continuo.formats.otlp.proto.profiles.v1development.Link;
import io.continuo.formats.otlp.proto.profiles.v1development.Location;
import io.continuo.formats.otlp.proto.profiles.v1development.Mapping;
import io.continuo.formats.otlp.proto.profiles.v1development.Profile;
import io.continuo.formats.otlp.proto.profiles.v1development.ProfilesDictionary;
import io.continuo.formats.otlp.proto.profiles.v1development.ResourceProfiles;
import io.continuo.formats.otlp.proto.profiles.v1development.Sample;
import io.continuo.formats.otlp.proto.profiles.v1development.ScopeProfiles;
import io.continuo.formats.otlp.proto.profiles.v1development.Stack;
import io.continuo.formats.otlp.proto.profiles.v1development.ValueType;
import io.continuo.formats.otlp.proto.resource.v1.Resource;

import java.util.HashMap;
import java.util.Map;

/**
 * Builds OTLP profile export requests with the generated classes in the shape the OpenTelemetry eBPF profiler
 * sends: one request for a host, a shared dictionary whose tables start with their zero entries, CPU profiles of
 * samples/count with a cpu/nanoseconds period and timestamps-only samples.
 */
final class OtlpRequests {
    static final long PERIOD = 50_000_000L;

    private final ProfilesDictionary.Builder d = ProfilesDictionary.newBuilder()
            .addMappingTable(Mapping.getDefaultInstance()).addLocationTable(Location.getDefaultInstance())
            .addFunctionTable(Function.getDefaultInstance()).addLinkTable(Link.getDefaultInstance())
            .addAttributeTable(KeyValueAndUnit.getDefaultInstance()).addStackTable(Stack.getDefaultInstance());
    private final Map<String, Integer> strings = new HashMap<>();
    private final ExportProfilesServiceRequest.Builder request = ExportProfilesServiceRequest.newBuilder();

    OtlpRequests() {
        str("");
    }

    int str(String s) {
        return strings.computeIfAbsent(s, k -> {
            d.addStringTable(k);
            return d.getStringTableCount() - 1;
        });
    }

    /** A stack of one location per function, leaf first. */
    int stack(String... leafFirst) {
        Stack.Builder s = Stack.newBuilder();
        for (String f : leafFirst) {
            d.addFunctionTable(Function.newBuilder().setNameStrindex(str(f)));
            d.addLocationTable(Location.newBuilder().addLines(Line.newBuilder().setFunctionIndex(d.getFunctionTableCount() - 1)));
            s.addLocationIndices(d.getLocationTableCount() - 1);
        }
        d.addStackTable(s);
        return d.getStackTableCount() - 1;
    }

    int rawStack(int... locations) {
        Stack.Builder s = Stack.newBuilder();
        for (int l : locations) {
            s.addLocationIndices(l);
        }
        d.addStackTable(s);
        return d.getStackTableCount() - 1;
    }

    int attribute(String key, String value) {
        d.addAttributeTable(KeyValueAndUnit.newBuilder().setKeyStrindex(str(key)).setValue(AnyValue.newBuilder().setStringValue(value)));
        return d.getAttributeTableCount() - 1;
    }

    ValueType type(String name, String unit) {
        return ValueType.newBuilder().setTypeStrindex(str(name)).setUnitStrindex(str(unit)).build();
    }

    /** An eBPF CPU profile that ended now (collection time stamped by the sender). */
    Profile.Builder cpuProfile(long nowMillis) {
        return Profile.newBuilder().setSampleType(type("samples", "count")).setPeriodType(type("cpu", "nanoseconds"))
                .setPeriod(PERIOD).setTimeUnixNano((nowMillis - 5_000) * 1_000_000L).setDurationNano(5_000_000_000L);
    }

    static Sample.Builder sample(int stack, int timestamps, int... attributes) {
        Sample.Builder s = Sample.newBuilder().setStackIndex(stack);
        for (int a : attributes) {
            s.addAttributeIndices(a);
        }
        for (int i = 0; i < timestamps; i++) {
            s.addTimestampsUnixNano(1_700_000_000_000_000_000L + i);
        }
        return s;
    }

    OtlpRequests resource(Map<String, String> attributes, Profile.Builder... profiles) {
        Resource.Builder r = Resource.newBuilder();
        attributes.forEach((k, v) -> r.addAttributes(KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v))));
        ScopeProfiles.Builder scope = ScopeProfiles.newBuilder();
        for (Profile.Builder p : profiles) {
            scope.addProfiles(p);
        }
        request.addResourceProfiles(ResourceProfiles.newBuilder().setResource(r).addScopeProfiles(scope));
        return this;
    }

    byte[] bytes() {
        return request.setDictionary(d).build().toByteArray();
    }
}
