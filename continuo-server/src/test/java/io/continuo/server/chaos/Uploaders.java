package io.continuo.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent uploaders of collapsed CPU profiles whose every line is worth 1, keeping the ledger the chaos tests
 * check the store against: what was acknowledged (200), what may have landed (no answer, or an answer saying it may
 * still be stored), and the answers by status. Each upload has its own timestamp, so nothing is merged away.
 */
final class Uploaders {
    static final int UPLOADERS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    final long base;
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();
    final long[] acknowledgedBy = new long[UPLOADERS];
    final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    /** Longest time an answer other than 200 took (a refusal must be prompt). */
    final AtomicLong slowestRefusalMillis = new AtomicLong();
    final List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong sequence = new AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long seed;
    private volatile boolean running;
    private final List<Thread> threads = new ArrayList<>();

    Uploaders(long base, long seed) {
        this.base = base;
        this.seed = seed;
    }

    synchronized void start(String serverBase) {
        running = true;
        for (int u = 0; u < UPLOADERS; u++) {
            int id = u;
            Random random = new Random(seed * 31 + u + sequence.get());
            Thread t = new Thread(() -> {
                while (running) {
                    uploadOnce(serverBase, id, random);
                }
            }, "chaos-uploader-" + u);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops the uploaders and waits until every request has its outcome recorded. */
    synchronized void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(120_000);
        }
        threads.clear();
    }

    private void uploadOnce(String serverBase, int uploader, Random random) {
        int lines = 20 + random.nextInt(60);
        StringBuilder body = new StringBuilder(lines * 24);
        for (int i = 0; i < lines; i++) {
            body.append("main;work").append(random.nextInt(50)).append(";f").append(random.nextInt(2000))
                    .append(" 1\n");
        }
        long from = base + sequence.incrementAndGet() * 1000;
        String uri = serverBase + "/api/v1/ingest?service=chaos&format=collapsed&uploader=u" + uploader
                + "&from=" + from + "&until=" + (from + 1000);
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
            if (r.statusCode() == 200) {
                acknowledged.addAndGet(lines);
                synchronized (acknowledgedBy) {
                    acknowledgedBy[uploader] += lines;
                }
                return;
            }
            slowestRefusalMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
            if (refusals.size() < 20) {
                refusals.add(r.statusCode() + " " + r.headers().firstValue("Retry-After").orElse("-") + " " + r.body());
            }
            if (!saysNothingStored(r.body())) {
                inFlight.addAndGet(lines);
            }
            pause();
        } catch (IOException e) {
            // The server died (or was killed) with the request open: it may have committed it.
            inFlight.addAndGet(lines);
            statuses.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
            pause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static boolean saysNothingStored(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            String error = n.path("error").asText("");
            return error.contains("nothing of this") && !error.contains("may still be stored");
        } catch (IOException e) {
            return false;
        }
    }

    private void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    long count(int status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }
}
