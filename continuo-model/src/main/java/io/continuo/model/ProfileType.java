package io.continuo.model;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a profile's values measure: a name shared by every part of Continuo (for example {@code cpu})
 * and the base unit its values are stored in ({@code nanoseconds}, {@code bytes} or {@code count}).
 */
public record ProfileType(String name, String unit) {

    private static final Pattern VALID_NAME = Pattern.compile("[a-z_][a-z0-9_.:-]{0,63}");

    public static final String NANOSECONDS = "nanoseconds";
    public static final String BYTES = "bytes";
    public static final String COUNT = "count";

    public static final ProfileType CPU = new ProfileType("cpu", NANOSECONDS);
    public static final ProfileType WALL = new ProfileType("wall", NANOSECONDS);
    public static final ProfileType ALLOC_BYTES = new ProfileType("alloc_bytes", BYTES);
    public static final ProfileType ALLOC_OBJECTS = new ProfileType("alloc_objects", COUNT);
    public static final ProfileType INUSE_BYTES = new ProfileType("inuse_bytes", BYTES);
    public static final ProfileType INUSE_OBJECTS = new ProfileType("inuse_objects", COUNT);
    public static final ProfileType LOCK_DURATION = new ProfileType("lock_duration", NANOSECONDS);
    public static final ProfileType LOCK_COUNT = new ProfileType("lock_count", COUNT);
    public static final ProfileType EXCEPTIONS = new ProfileType("exceptions", COUNT);
    public static final ProfileType GOROUTINES = new ProfileType("goroutines", COUNT);


    /** pprof sample-type names whose meaning equals one of ours. */
    private static final Map<String, ProfileType> PPROF_ALIASES = Map.ofEntries(
            Map.entry("cpu", CPU),
            Map.entry("wall", WALL),
            Map.entry("alloc_space", ALLOC_BYTES),
            Map.entry("alloc_bytes", ALLOC_BYTES),
            Map.entry("alloc_in_new_tlab_bytes", ALLOC_BYTES),
            Map.entry("alloc_objects", ALLOC_OBJECTS),
            Map.entry("alloc_in_new_tlab_objects", ALLOC_OBJECTS),
            Map.entry("inuse_space", INUSE_BYTES),
            Map.entry("inuse_bytes", INUSE_BYTES),
            Map.entry("inuse_objects", INUSE_OBJECTS),
            Map.entry("contentions", LOCK_COUNT),
            Map.entry("lock_count", LOCK_COUNT),
            Map.entry("delay", LOCK_DURATION),
            Map.entry("lock_time", LOCK_DURATION),
            Map.entry("lock_duration", LOCK_DURATION),
            Map.entry("exceptions", EXCEPTIONS),
            Map.entry("goroutine", GOROUTINES),
            Map.entry("goroutines", GOROUTINES));

    public ProfileType {
        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new ValidationException("invalid profile type name '" + Strings.abbreviate(name, 80)
                    + "': expected lower-case letters, digits, '_', '.', ':' or '-', at most 64 characters");
        }
        unit = unit == null || unit.isBlank() ? COUNT : unit;
    }

    /** A well-known type by its name ({@code cpu}, {@code alloc_bytes}...), or a new type counted in {@code count}. */
    public static ProfileType of(String name) {
        ProfileType known = PPROF_ALIASES.get(name);
        return known != null && known.name.equals(name) ? known : new ProfileType(name, COUNT);
    }

    /**
     * Maps a pprof sample type onto Continuo's names: Go's {@code cpu/nanoseconds} is {@code cpu},
     * {@code alloc_space} is {@code alloc_bytes}, {@code delay} is {@code lock_duration} and so on.
     * Other sample types keep their own name and unit.
     */
    public static ProfileType fromPprof(String sampleType, String unit) {
        String type = sampleType == null ? "" : sampleType.toLowerCase(Locale.ROOT);
        String u = unit == null ? "" : unit.toLowerCase(Locale.ROOT);
        ProfileType known = PPROF_ALIASES.get(type);
        if (known != null && (u.isEmpty() || compatibleUnit(known.unit, u))) {
            return known;
        }
        if (type.equals("samples") && u.equals(NANOSECONDS)) {
            return CPU;
        }
        return new ProfileType(sanitize(type), u.isEmpty() ? COUNT : sanitize(u));
    }

    private static boolean compatibleUnit(String ours, String theirs) {
        return ours.equals(theirs)
                || (ours.equals(COUNT) && (theirs.equals("objects") || theirs.equals("samples")))
                || (ours.equals(NANOSECONDS) && theirs.equals("ns"));
    }

    private static String sanitize(String raw) {
        StringBuilder out = new StringBuilder(Math.min(raw.length(), 64));
        for (int i = 0; i < raw.length() && out.length() < 64; i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-';
            out.append(ok ? c : '_');
        }
        if (out.length() == 0 || !(Character.isLetter(out.charAt(0)) || out.charAt(0) == '_')) {
            out.insert(0, '_');
            if (out.length() > 64) {
                out.setLength(64);
            }
        }
        return out.toString();
    }

    /** True when values add up over time (all profile types except in-use heap snapshots and goroutine counts). */
    public boolean cumulative() {
        return !(name.equals(INUSE_BYTES.name) || name.equals(INUSE_OBJECTS.name) || name.equals(GOROUTINES.name));
    }

    @Override
    public String toString() {
        return name + "/" + unit;
    }
}
