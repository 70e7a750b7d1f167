package io.continuo.server.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands between a real client and the server: forwards every request and keeps what the client sent and what the
 * server answered, so a test can compare what was stored with what the client meant to send.
 */
final class CapturingProxy implements AutoCloseable {
    record Exchange(String pathAndQuery, String contentType, byte[] body, int status, String answer) {
    }

    private final HttpServer http;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    CapturingProxy(String target) throws IOException {
        this.target = target;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::forward);
        http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "capturing-proxy");
            t.setDaemon(true);
            return t;
        }));
        http.start();
    }

    String base() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** Waits until no request is being forwarded (the client may exit while its last upload is in flight). */
    void awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                inFlight.wait(100);
            }
        }
    }

    private void forward(HttpExchange ex) throws IOException {
        inFlight.incrementAndGet();
        try {
            forwardOrFail(ex);
        } catch (IOException | RuntimeException | Error e) {
            exchanges.add(new Exchange(ex.getRequestURI().toString(), null, new byte[0], -1, "proxy failure: " + e));
            throw e;
        } finally {
            synchronized (inFlight) {
                inFlight.decrementAndGet();
                inFlight.notifyAll();
            }
        }
    }

    private void forwardOrFail(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String contentType = ex.getRequestHeaders().getFirst("Content-Type");
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : List.of("Content-Type", "Content-Encoding", "Authorization")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    req.header(h, v);
                }
            }
            HttpResponse<byte[]> res;
            try {
                res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            exchanges.add(new Exchange(ex.getRequestURI().toString(), contentType, body, res.statusCode(),
                    new String(res.body(), java.nio.charset.StandardCharsets.UTF_8)));
            ex.getResponseHeaders().set("Content-Type", res.headers().firstValue("Content-Type").orElse("application/json"));
            ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
            ex.getResponseBody().write(res.body());
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
