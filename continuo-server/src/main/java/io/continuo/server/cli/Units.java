package io.continuo.server.cli;

import java.util.Locale;

/** Values in human units: 1.23 s, 45.6 MB, 789. */
final class Units {
    private Units() {
    }

    static String format(long v, String unit) {
        return switch (unit) {
            case "nanoseconds" -> v >= 1_000_000_000L ? String.format(Locale.ROOT, "%.2f s", v / 1e9)
                    : String.format(Locale.ROOT, "%.2f ms", v / 1e6);
            case "bytes" -> v >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GB", v / (double) (1L << 30))
                    : v >= 1L << 20 ? String.format(Locale.ROOT, "%.2f MB", v / (double) (1L << 20))
                    : String.format(Locale.ROOT, "%.2f kB", v / 1024.0);
            default -> Long.toString(v);
        };
    }
}
