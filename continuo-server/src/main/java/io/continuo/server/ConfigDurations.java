package io.continuo.server;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in configuration: {@code 30s}, {@code 5m}, {@code 7d}, {@code 250ms}, ISO-8601 {@code PT30S}; a bare number is seconds. */
public final class ConfigDurations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d|w)?");

    private ConfigDurations() {
    }

    /** @throws IllegalArgumentException naming {@code name} when the text is not a non-negative duration */
    public static Duration parse(String name, String text) {
        String t = text == null ? "" : text.trim();
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        }
        try {
            Duration d = Duration.parse(t);
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(name + ": invalid duration '" + text + "' (expected e.g. 250ms, 30s, 5m, 1h, 7d)");
    }
}
