package io.continuo.server.http;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the times users and SDKs send: {@code now}, {@code now-1h}, RFC 3339, and unix timestamps whose unit is told
 * by digit count (seconds up to 10 digits, then milliseconds, microseconds, nanoseconds — the Go SDK sends ns).
 */
public final class TimeParser {
    private static final Pattern RELATIVE = Pattern.compile("now(?:([-+])(\\d+)(ms|s|m|h|d|w))?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
    private static final int SECONDS_DIGITS = 10;
    private static final int MILLIS_DIGITS = 13;
    private static final int MICROS_DIGITS = 16;

    private final LongSupplier clockMillis;

    public TimeParser(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    public static TimeParser system() {
        return new TimeParser(System::currentTimeMillis);
    }

    public long nowMillis() {
        return clockMillis.getAsLong();
    }

    /** Unix milliseconds of a time parameter; {@code fallback} when absent. */
    public long parseMillis(String param, String text, long fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String t = text.trim();
        Matcher rel = RELATIVE.matcher(t);
        if (rel.matches()) {
            long now = clockMillis.getAsLong();
            if (rel.group(1) == null) {
                return now;
            }
            if (rel.group(2).length() > 12) {
                throw ApiException.badRequest("invalid time in '" + param + "': offset too large");
            }
            long offset = toMillis(Long.parseLong(rel.group(2)), rel.group(3));
            return rel.group(1).equals("-") ? now - offset : now + offset;
        }
        if (t.chars().allMatch(Character::isDigit) && t.length() <= 19) {
            long v = Long.parseLong(t);
            int digits = t.length();
            if (digits <= SECONDS_DIGITS) {
                return v * 1000;
            }
            if (digits <= MILLIS_DIGITS) {
                return v;
            }
            if (digits <= MICROS_DIGITS) {
                return v / 1000;
            }
            return v / 1_000_000;
        }
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid time in '" + param + "': '" + abbreviate(t)
                    + "' (expected unix seconds/ms/µs/ns, RFC 3339, 'now' or 'now-<n><ms|s|m|h|d|w>'/'now+...')");
        }
    }

    /** A time range in unix ms, [from, until]. */
    public record Range(long from, long until) {
        public long millis() {
            return until - from;
        }
    }

    /**
     * The one reading of a time range every API uses: {@code until} defaults to now, {@code from} to
     * {@code defaultSpanMillis} before {@code until}; an inverted range is refused, so is an empty one unless
     * {@code allowEmpty}, and one longer than {@code maxSpanMillis} (0: no limit). Errors name the parameters.
     */
    public Range range(String fromParam, String fromText, String untilParam, String untilText, long defaultSpanMillis,
                       long maxSpanMillis, boolean allowEmpty) {
        long until = parseMillis(untilParam, untilText, nowMillis());
        long from = parseMillis(fromParam, fromText, until - defaultSpanMillis);
        if (from > until || (!allowEmpty && from == until)) {
            throw ApiException.badRequest((allowEmpty ? "inverted time range: '" : "inverted or empty time range: '")
                    + fromParam + "' (" + from + ") is " + (allowEmpty ? "after '" : "not before '") + untilParam
                    + "' (" + until + ")");
        }
        if (maxSpanMillis > 0 && until - from > maxSpanMillis) {
            throw ApiException.badRequest("time range too long: '" + fromParam + "' to '" + untilParam + "' spans "
                    + (until - from) / 1000 + " s, at most " + maxSpanMillis / 1000 + " s");
        }
        return new Range(from, until);
    }

    /** A duration such as {@code 10s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    public static long parseDurationMillis(String param, String text, long fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String t = text.trim();
        if (t.chars().allMatch(Character::isDigit) && t.length() < 12) {
            return Long.parseLong(t) * 1000;
        }
        Matcher m = DURATION.matcher(t);
        if (m.matches() && m.group(1).length() < 12) {
            return toMillis(Long.parseLong(m.group(1)), m.group(2));
        }
        try {
            return Duration.parse(t).toMillis();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid duration in '" + param + "': '" + abbreviate(t)
                    + "' (expected e.g. 10s, 5m, 1h, 7d)");
        }
    }

    private static long toMillis(long n, String unit) {
        return switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            case "d" -> n * 86_400_000;
            case "w" -> n * 7 * 86_400_000;
            default -> throw new IllegalStateException(unit);
        };
    }

    private static String abbreviate(String s) {
        return io.continuo.model.Strings.abbreviate(s, 60);
    }
}
