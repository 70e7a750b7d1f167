package io.continuo.bench.overhead;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value} command-line arguments, validated with messages that name the key and its range. */
public final class Args {
    private Args() {}

    public static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String arg : args) {
            for (String part : arg.trim().split("\\s+")) {
                if (part.isEmpty()) continue;
                int eq = part.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("expected key=value, got '" + part + "'");
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }

    public static int intArg(Map<String, String> args, String key, int defaultValue, int min, int max) {
        String v = args.get(key);
        if (v == null) return defaultValue;
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected an integer in [" + min + ", " + max + "], got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + ": must be in [" + min + ", " + max + "], was " + n);
        }
        return n;
    }
}
