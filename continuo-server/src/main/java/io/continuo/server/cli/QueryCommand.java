package io.continuo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.http.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Map;

@Command(name = "query", mixinStandardHelpOptions = true, description = "Print the top functions of a selection.")
final class QueryCommand implements Runnable {
    @Mixin
    ServerOptions server;

    @Mixin
    QueryOptions query;

    @Option(names = "--limit", description = "Functions to print (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    int limit;

    @Option(names = "--sort", description = "self or total (default: ${DEFAULT-VALUE}).", defaultValue = "self")
    String sort;

    @Option(names = "--json", description = "Print the raw JSON answer.")
    boolean json;

    @Override
    public void run() {
        ApiClient client = server.client();
        Map<String, String> params = query.params(client);
        params.put("limit", Integer.toString(limit));
        params.put("sort", sort);
        byte[] body = client.get("/api/v1/query/top", params);
        if (json) {
            System.out.println(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            long total = root.path("total").asLong();
            String unit = root.path("unit").asText();
            System.out.printf("type %s, total %s%n", root.path("type").asText(), Units.format(total, unit));
            System.out.printf("%14s %7s %14s %7s  %s%n", "self", "self%", "total", "total%", "function");
            for (JsonNode f : root.path("functions")) {
                long self = f.path("self").asLong();
                long tot = f.path("total").asLong();
                System.out.printf("%14s %6.2f%% %14s %6.2f%%  %s%n", Units.format(self, unit), pct(self, total),
                        Units.format(tot, unit), pct(tot, total), f.path("name").asText());
            }
        } catch (IOException e) {
            throw new CliException(Main.EXIT_SERVER_ERROR, "unreadable answer: " + e.getMessage());
        }
    }

    private static double pct(long v, long total) {
        return total == 0 ? 0 : 100.0 * v / total;
    }
}
