package io.continuo.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API keys from every place an operator may keep them, merged: {@code --api-key} (visible in {@code ps}, so for
 * development), {@code --api-keys-file} (one {@code KEY[:TENANT]} a line, {@code #} comments, blank lines ignored)
 * and the {@code CONTINUO_API_KEYS} environment variable (comma-separated {@code KEY[:TENANT]}).
 */
final class ApiKeySources {
    static final String ENV = "CONTINUO_API_KEYS";

    private ApiKeySources() {
    }

    static Map<String, String> collect(List<String> flags, Path file, String env) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String k : flags) {
            put(keys, k, "--api-key");
        }
        if (file != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("--api-keys-file: cannot read " + file + ": " + e.getMessage());
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    put(keys, line, "--api-keys-file " + file + " line " + (i + 1));
                }
            }
        }
        if (env != null) {
            for (String k : env.split(",")) {
                if (!k.isBlank()) {
                    put(keys, k.strip(), ENV);
                }
            }
        }
        return keys;
    }

    private static void put(Map<String, String> keys, String entry, String source) {
        int colon = entry.indexOf(':');
        String key = (colon < 0 ? entry : entry.substring(0, colon)).strip();
        String tenant = colon < 0 ? "" : entry.substring(colon + 1).strip();
        if (key.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty API key");
        }
        if (!tenant.isEmpty() && !tenant.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException(source + ": invalid tenant '" + tenant
                    + "' (expected 1-64 letters, digits, '_', '.', '-')");
        }
        String previous = keys.put(key, tenant);
        if (previous != null && !previous.equals(tenant)) {
            throw new IllegalArgumentException(source + ": a key is bound to two tenants ('" + previous + "' and '" + tenant + "')");
        }
    }
}
