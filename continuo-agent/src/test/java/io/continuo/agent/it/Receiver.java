package io.continuo.agent.it;

import com.sun.net.httpserver.HttpServer;
import io.continuo.agent.pprof.DecodedProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A real HTTP endpoint on 127.0.0.1 that records every upload the agent makes. */
final class Receiver implements AutoCloseable {
    record Request(String path, Map<String, String> query, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            }
            return null;
        }

        boolean isProfile() { return path.equals("/api/v1/ingest"); }

        boolean isMetrics() { return path.equals("/api/v1/ingest/metrics"); }

        DecodedProfile profile() { return DecodedProfile.gunzipAndParse(body); }

        /** The sample type of the first value: cpu, wall, alloc_objects, contentions, exceptions. */
        String profileType() { return profile().sampleTypes.get(0)[0]; }
    }

    private final HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                requests.add(new Request(exchange.getRequestURI().getPath(), query(exchange.getRequestURI().getRawQuery()),
                        new LinkedHashMap<>(exchange.getRequestHeaders()), body));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
    }

    String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    List<Request> profiles(String type) {
        return requests.stream().filter(Request::isProfile).filter(r -> r.profileType().equals(type))
                .collect(Collectors.toList());
    }

    /** All samples of one type merged across uploads. */
    List<DecodedProfile> decoded(String type) {
        List<DecodedProfile> out = new ArrayList<>();
        for (Request r : profiles(type)) out.add(r.profile());
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) return out;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() { server.stop(0); }
}
