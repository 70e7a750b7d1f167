package io.continuo.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 32 concurrent gzip bombs (250 KB that inflate past --max-decompressed-size) against a server in its own JVM with a
 * 1 GB heap: before the decode budget, each inflated its 256 MB at once and most answered 500 OutOfMemoryError. Now
 * they are decoded a few at a time within the budget and every one gets a 4xx or a 503 with Retry-After, the server
 * stays healthy and earlier data stays readable.
 */
class GzipBombTest {
    @TempDir
    Path dir;

    @Test
    void concurrentBombsGetRefusedAndTheServerSurvives() throws Exception {
        byte[] bomb = bomb(260L << 20);
        assertThat(bomb.length).isBetween(200_000, 300_000);
        Path log = dir.resolve("server.log");
        try (ChildServer server = ChildServer.start(dir.resolve("data"), log, "-Xmx1g", List.of())) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            assertThat(send(http, server, "/ingest?name=before&format=folded", "main;ok 7\n".getBytes())).isEqualTo(200);
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                answers.add(pool.submit(() -> send(http, server, "/ingest?name=bomb&format=pprof", bomb)));
            }
            Map<Integer, Integer> byStatus = new TreeMap<>();
            for (Future<Integer> f : answers) {
                byStatus.merge(f.get(), 1, Integer::sum);
            }
            pool.shutdown();
            assertThat(byStatus.keySet()).as("statuses of 32 bombs: " + byStatus)
                    .allMatch(s -> s == 413 || s == 400 || s == 422 || s == 429 || s == 503);
            assertThat(byStatus.getOrDefault(413, 0)).as("some bombs were decoded and refused as too large: " + byStatus).isPositive();
            assertThat(send(http, server, "/healthz", null)).isEqualTo(200);
            HttpResponse<String> q = http.send(HttpRequest.newBuilder(URI.create(server.base()
                    + "/api/v1/query/flamegraph?query=%7Bservice%3D%22before%22%7D&from=now-1h")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(q.body()).contains("\"total\":7");
        }
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }

    private static int send(HttpClient http, ChildServer server, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(120));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream");
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Zeros, gzipped: DEFLATE's best ratio, about 1000:1. */
    static byte[] bomb(long inflatedBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            for (long n = 0; n < inflatedBytes; n += zeros.length) {
                gz.write(zeros);
            }
        }
        return out.toByteArray();
    }
}
