package io.continuo.server.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** What to select: type, selector, range. */
final class QueryOptions {
    @Option(names = {"-t", "--type"}, description = "Profile type (default: ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String type;

    @Option(names = {"-q", "--query"}, description = "Series selector, e.g. {service=\"shop\"}.", defaultValue = "{}")
    String query;

    @Option(names = "--from", description = "Start: unix time, RFC 3339 or now-1h (default: ${DEFAULT-VALUE}).", defaultValue = "now-1h")
    String from;

    @Option(names = "--until", description = "End (default: ${DEFAULT-VALUE}).", defaultValue = "now")
    String until;

    Map<String, String> params() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("type", type);
        p.put("query", query);
        p.put("from", from);
        p.put("until", until);
        return p;
    }
}
