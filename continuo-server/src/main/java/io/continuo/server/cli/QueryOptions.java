package io.continuo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.http.Json;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What to select: type, selector, range. */
final class QueryOptions {
    /** Preferred defaults, in order, when --type is not given: the first the selection has data of wins. */
    private static final List<String> DEFAULT_TYPES = List.of("cpu", "wall", "samples", "alloc_bytes", "inuse_bytes");

    @Option(names = {"-t", "--type"}, description = "Profile type (default: cpu, or the first type the selection has).")
    String type;

    @Option(names = {"-q", "--query"}, description = "Series selector, e.g. {service=\"shop\"}.", defaultValue = "{}")
    String query;

    @Option(names = "--from", description = "Start: unix time, RFC 3339 or now-1h (default: ${DEFAULT-VALUE}).", defaultValue = "now-1h")
    String from;

    @Option(names = "--until", description = "End (default: ${DEFAULT-VALUE}).", defaultValue = "now")
    String until;

    /**
     * The query parameters, with the type checked against the types the selection has in range: a mistyped
     * {@code --type} is a usage error naming the types there are, not a silent empty answer; without
     * {@code --type} the selection's own type is used (a Node.js service may have wall but no cpu).
     */
    Map<String, String> params(ApiClient client) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("query", query);
        p.put("from", from);
        p.put("until", until);
        List<String> available = typesWithData(client, p);
        p.put("type", chooseType(type, available, query));
        return p;
    }

    static String chooseType(String requested, List<String> available, String query) {
        if (requested != null) {
            if (!available.isEmpty() && !available.contains(requested)) {
                throw new CliException(Main.EXIT_USAGE, "no '" + requested + "' profiles for " + query
                        + " in this range; types with data: " + String.join(", ", available));
            }
            return requested;
        }
        for (String preferred : DEFAULT_TYPES) {
            if (available.contains(preferred)) {
                return preferred;
            }
        }
        return available.isEmpty() ? "cpu" : available.get(0);
    }

    private static List<String> typesWithData(ApiClient client, Map<String, String> params) {
        byte[] body = client.get("/api/v1/types", params);
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode t : Json.MAPPER.readTree(body).path("types")) {
                names.add(t.path("name").asText());
            }
        } catch (IOException e) {
            throw new CliException(Main.EXIT_SERVER_ERROR, "unreadable answer from /api/v1/types: " + e.getMessage());
        }
        return names;
    }
}
