package io.continuo.server.pyroscope;

import io.continuo.model.ProfileType;
import io.continuo.model.Strings;

import java.util.Map;

/**
 * Continuo's profile types as Pyroscope profile type ids and back. Each Continuo type has one id (the one Pyroscope
 * itself gives the same measurement, so Grafana's type picker and the Drilldown app's metadata know it); the way
 * back also accepts the ids other Pyroscope clients use for the same measurement (Java's TLAB allocations, Go's
 * block profile...). A type Continuo stores under its own name (any pprof sample type) gets
 * {@code name:name:unit:name:unit}, which maps back to the same name.
 */
final class ProfileTypeIds {
    private static final int PARTS = 5;

    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry(ProfileType.CPU.name(), "process_cpu:cpu:nanoseconds:cpu:nanoseconds"),
            Map.entry(ProfileType.WALL.name(), "wall:wall:nanoseconds:wall:nanoseconds"),
            Map.entry(ProfileType.ALLOC_BYTES.name(), "memory:alloc_space:bytes:space:bytes"),
            Map.entry(ProfileType.ALLOC_OBJECTS.name(), "memory:alloc_objects:count:space:bytes"),
            Map.entry(ProfileType.INUSE_BYTES.name(), "memory:inuse_space:bytes:space:bytes"),
            Map.entry(ProfileType.INUSE_OBJECTS.name(), "memory:inuse_objects:count:space:bytes"),
            Map.entry(ProfileType.LOCK_COUNT.name(), "mutex:contentions:count:mutex:count"),
            Map.entry(ProfileType.LOCK_DURATION.name(), "mutex:delay:nanoseconds:mutex:count"),
            Map.entry(ProfileType.EXCEPTIONS.name(), "process_cpu:exception:count:cpu:nanoseconds"),
            Map.entry(ProfileType.GOROUTINES.name(), "goroutine:goroutine:count:goroutine:count"));

    /** Other ids of the same measurements, as sent by Pyroscope's SDKs and known to Grafana. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("memory:alloc_in_new_tlab_bytes:bytes::", ProfileType.ALLOC_BYTES.name()),
            Map.entry("memory:alloc_in_new_tlab_objects:count::", ProfileType.ALLOC_OBJECTS.name()),
            Map.entry("process_cpu:alloc_size:bytes:cpu:nanoseconds", ProfileType.ALLOC_BYTES.name()),
            Map.entry("process_cpu:alloc_samples:count:cpu:nanoseconds", ProfileType.ALLOC_OBJECTS.name()),
            Map.entry("process_cpu:lock_count:count:cpu:nanoseconds", ProfileType.LOCK_COUNT.name()),
            Map.entry("process_cpu:lock_time:nanoseconds:cpu:nanoseconds", ProfileType.LOCK_DURATION.name()),
            Map.entry("mutex:contentions:count:contentions:count", ProfileType.LOCK_COUNT.name()),
            Map.entry("mutex:delay:nanoseconds:contentions:count", ProfileType.LOCK_DURATION.name()),
            Map.entry("block:contentions:count:contentions:count", ProfileType.LOCK_COUNT.name()),
            Map.entry("block:delay:nanoseconds:contentions:count", ProfileType.LOCK_DURATION.name()),
            Map.entry("goroutines:goroutine:count:goroutine:count", ProfileType.GOROUTINES.name()),
            Map.entry("exceptions:exceptions:count:exceptions:count", ProfileType.EXCEPTIONS.name()));

    private ProfileTypeIds() {
    }

    /** The id of a stored type (name and unit as the store reports them). */
    static PyroscopeType of(String continuoType, String unit) {
        String id = CANONICAL.get(continuoType);
        if (id == null) {
            String u = unit == null || unit.isBlank() ? ProfileType.COUNT : unit;
            // ':' separates the id's parts; a name holding one cannot round-trip, so it is written as '_'.
            String n = continuoType.replace(':', '_');
            id = n + ":" + n + ":" + u.replace(':', '_') + ":" + n + ":" + u.replace(':', '_');
        }
        return PyroscopeType.of(continuoType, id);
    }

    /** The Continuo type an id stands for; a malformed id is an invalid_argument naming it. */
    static String continuoType(String id) {
        if (id == null || id.isBlank()) {
            throw ConnectException.invalidArgument("missing profile_typeID (e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds)");
        }
        String alias = ALIASES.get(id);
        if (alias != null) {
            return alias;
        }
        for (Map.Entry<String, String> e : CANONICAL.entrySet()) {
            if (e.getValue().equals(id)) {
                return e.getKey();
            }
        }
        String[] parts = id.split(":", -1);
        if (parts.length != PARTS || parts[1].isEmpty()) {
            throw ConnectException.invalidArgument("invalid profile_typeID '" + Strings.abbreviate(id, 120)
                    + "': expected name:sample_type:sample_unit:period_type:period_unit");
        }
        return ProfileType.fromPprof(parts[1], parts[2]).name();
    }

    /** The id as the client sent it, with the Continuo type it stands for. */
    static PyroscopeType parse(String id) {
        return PyroscopeType.of(continuoType(id), id);
    }
}
