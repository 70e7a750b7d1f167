package io.continuo.server.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/** A small HTTP client for the CLI: errors become one readable line and an exit code. */
final class ApiClient {
    private final String server;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ApiClient(String server, String apiKey) {
        this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.apiKey = apiKey;
    }

    static String query(Map<String, String> params) {
        StringJoiner j = new StringJoiner("&");
        params.forEach((k, v) -> {
            if (v != null) {
                j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return j.toString();
    }

    byte[] get(String path, Map<String, String> params) {
        return send(HttpRequest.newBuilder(uri(path, params)).GET());
    }

    byte[] post(String path, Map<String, String> params, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(uri(path, params)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private URI uri(String path, Map<String, String> params) {
        try {
            return URI.create(server + path + "?" + query(params));
        } catch (IllegalArgumentException e) {
            throw new CliException(Main.EXIT_USAGE, "invalid server address '" + server + "'");
        }
    }

    /** Java's connect errors often carry no message (a refused connection's is null): name what happened. */
    static String reason(IOException e) {
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer within the timeout";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the server running? start it with: continuo server)";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private byte[] send(HttpRequest.Builder request) {
        request.timeout(Duration.ofMinutes(2));
        if (apiKey != null && !apiKey.isEmpty()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new CliException(Main.EXIT_UNREACHABLE, "cannot reach " + server + ": " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(Main.EXIT_UNREACHABLE, "interrupted");
        }
        if (response.statusCode() >= 400) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new CliException(Main.EXIT_SERVER_ERROR, "server answered " + response.statusCode() + ": " + body.trim());
        }
        return response.body();
    }
}
