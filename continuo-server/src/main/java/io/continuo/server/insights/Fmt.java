package io.continuo.server.insights;

import java.util.Locale;

/** Numbers for summaries people read: 12.5 MB, 3h 20m, 41%, $12.30. */
final class Fmt {
    private Fmt() {
    }

    static String bytes(double b) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double v = Math.abs(b);
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (b < 0 ? "-" : "") + num(v) + " " + units[u];
    }

    static String duration(long millis) {
        if (millis < 60_000) {
            return Math.max(0, millis) / 1000 + "s";
        }
        long m = Math.max(0, millis) / 60_000;
        if (m < 60) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 48) {
            return h + "h" + (m % 60 == 0 ? "" : " " + (m % 60) + "m");
        }
        return (h / 24) + "d" + (h % 24 == 0 ? "" : " " + (h % 24) + "h");
    }

    static String percent(double fraction) {
        return num(fraction * 100) + "%";
    }

    static String points(double shareDelta) {
        return (shareDelta >= 0 ? "+" : "") + num(shareDelta * 100) + " pts";
    }

    static String dollars(double d) {
        return String.format(Locale.ROOT, d >= 100 ? "$%,.0f" : "$%,.2f", d);
    }

    static String value(double v, String type) {
        if (type.contains("bytes")) {
            return bytes(v);
        }
        if (type.equals("cpu") || type.equals("wall") || type.equals("lock_duration")) {
            return num(v / 1e9) + " s";
        }
        return num(v);
    }

    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.01 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        // small but not nothing (a rate of 0.0009 s/s): two significant digits instead of "0.00"
        return String.format(Locale.ROOT, "%.2g", v);
    }
}
