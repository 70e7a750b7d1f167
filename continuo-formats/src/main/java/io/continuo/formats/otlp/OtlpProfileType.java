package io.continuo.formats.otlp;

import io.continuo.model.ProfileType;
import java.util.Locale;

/**
 * Maps an OTLP profile's sample type and period onto Continuo's profile types through
 * {@link ProfileType#fromPprof}, the mapping the pprof path uses, after bringing time units to nanoseconds.
 * The eBPF profiler's CPU profile is {@code samples/count} with period type {@code cpu/nanoseconds}: each count is
 * worth one period, so values are multiplied by it and the type is {@code cpu} in nanoseconds, as for Go's CPU
 * profiles. The same holds for any {@code samples/count} profile whose period is a time (for example {@code wall}).
 *
 * @param type       the Continuo type
 * @param multiplier what every sample value is multiplied by to reach the type's base unit
 * @param periodNanos the sampling period in nanoseconds, 0 when the period is not a time
 */
record OtlpProfileType(ProfileType type, long multiplier, long periodNanos) {
    private static final String SAMPLES = "samples";
    private static final String COUNT = "count";

    /** Thrown for a sample type that cannot be stored; the profile is refused, the rest of the request is not. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    static OtlpProfileType resolve(String typeName, String typeUnit, String periodTypeName, String periodUnit, long period) {
        String type = lower(typeName);
        String unit = lower(typeUnit);
        if (type.isEmpty()) {
            throw new Unsupported("profile has no sample_type");
        }
        long periodScale = nanosPer(lower(periodUnit));
        long periodNanos = period > 0 && periodScale > 0 ? multiply(period, periodScale) : 0;
        if (type.equals(SAMPLES) && (unit.isEmpty() || unit.equals(COUNT) || unit.equals(SAMPLES)) && periodNanos > 0) {
            String measured = lower(periodTypeName);
            return new OtlpProfileType(ProfileType.fromPprof(measured.isEmpty() ? ProfileType.CPU.name() : measured,
                    ProfileType.NANOSECONDS), periodNanos, periodNanos);
        }
        long scale = nanosPer(unit);
        if (scale > 0) {
            return new OtlpProfileType(ProfileType.fromPprof(type, ProfileType.NANOSECONDS), scale, periodNanos);
        }
        return new OtlpProfileType(ProfileType.fromPprof(type, unit), 1, periodNanos);
    }

    /** Nanoseconds in one of this unit, or 0 when it is not a unit of time. */
    private static long nanosPer(String unit) {
        return switch (unit) {
            case "nanoseconds", "ns" -> 1;
            case "microseconds", "us" -> 1_000;
            case "milliseconds", "ms" -> 1_000_000;
            case "seconds", "s" -> 1_000_000_000;
            default -> 0;
        };
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new Unsupported("period " + a + " overflows nanoseconds");
        }
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
