package io.continuo.server.ingest;

import io.continuo.model.Labels;
import io.continuo.model.ValidationException;
import io.continuo.model.Strings;

import java.util.Set;

/**
 * The {@code name} parameter of Pyroscope's /ingest: {@code app.cpu{env=prod,region=eu}}. The application name
 * becomes label {@code service}; a known profile-type suffix is split off and returned as the type hint.
 *
 * @param service  application name without the type suffix
 * @param typeHint the suffix ({@code cpu}, {@code alloc_objects}...), or null
 * @param labels   the labels in braces plus {@code service}
 */
public record PyroscopeName(String service, String typeHint, Labels labels) {
    private static final Set<String> TYPE_SUFFIXES = Set.of("cpu", "itimer", "wall", "alloc_objects", "alloc_space",
            "inuse_objects", "inuse_space", "lock_count", "lock_duration", "goroutines", "mutex_count",
            "mutex_duration", "block_count", "block_duration", "exceptions", "alloc_in_new_tlab_objects",
            "alloc_in_new_tlab_bytes", "lock_time", "contentions", "delay");
    private static final int MAX_LENGTH = 64 * 1024;

    public static PyroscopeName parse(String name) {
        if (name == null || name.isBlank()) {
            throw new ValidationException("missing 'name' parameter (expected app.cpu{key=value,...})");
        }
        if (name.length() > MAX_LENGTH) {
            throw new ValidationException("'name' parameter too long: " + name.length() + " characters");
        }
        int brace = name.indexOf('{');
        String app = (brace < 0 ? name : name.substring(0, brace)).trim();
        String typeHint = null;
        int dot = app.lastIndexOf('.');
        if (dot > 0 && TYPE_SUFFIXES.contains(app.substring(dot + 1))) {
            typeHint = app.substring(dot + 1);
            app = app.substring(0, dot);
        }
        if (app.isEmpty()) {
            throw new ValidationException("empty application name in '" + Strings.abbreviate(name, 100) + "'");
        }
        Labels.Builder labels = Labels.builder();
        if (brace >= 0) {
            int close = name.lastIndexOf('}');
            if (close < brace) {
                throw new ValidationException("unterminated label set in name '" + Strings.abbreviate(name, 100) + "'");
            }
            String body = name.substring(brace + 1, close);
            for (String pair : body.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ValidationException("invalid label '" + Strings.abbreviate(pair, 100) + "' in name: expected key=value");
                }
                String key = pair.substring(0, eq).trim();
                String value = unquote(pair.substring(eq + 1).trim());
                if (key.equals("__name__") || key.equals("service_name")) {
                    continue;
                }
                labels.put(key, value);
            }
        }
        labels.put(Labels.SERVICE, app);
        return new PyroscopeName(app, typeHint, labels.build());
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
