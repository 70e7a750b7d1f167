package io.continuo.bench.ingest;

import io.continuo.bench.jmh.SyntheticProfiles;
import io.continuo.bench.overhead.Args;
import io.continuo.formats.DecodeLimits;
import io.continuo.formats.pprof.PprofReader;
import io.continuo.formats.pprof.PprofWriter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end ingest load: {@code clients} keep-alive HTTP/1.1 clients send realistic gzipped pprof uploads
 * ({@code stacks} stacks of depth 10-40 with shared prefixes, as {@link SyntheticProfiles} makes them) to a running
 * server's {@code /api/v1/ingest} as fast as it answers, for {@code seconds}; then the same bodies are only gunzipped
 * and parsed on {@code threads} threads for as long: the ceiling ingest could reach on this machine if storing cost
 * nothing. Prints uploads/s, p50/p99 latency, the status codes, and ingest as a share of the ceiling.
 *
 * <pre>mvn -q install -DskipTests && mvn -q -pl continuo-bench exec:java@ingest -Dexec.args="server=http://127.0.0.1:4040 clients=8 seconds=30"</pre>
 *
 * Parameters: {@code server} (http://127.0.0.1:4040), {@code clients} (8), {@code seconds} (30), {@code stacks}
 * (3000), {@code bodies} distinct uploads to cycle through (16), {@code instances} distinct series (50),
 * {@code threads} for the ceiling (available processors), {@code apiKey}.
 */
public final class IngestLoad {
    private IngestLoad() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        String server = args.getOrDefault("server", "http://127.0.0.1:4040");
        int clients = Args.intArg(args, "clients", 8, 1, 512);
        int seconds = Args.intArg(args, "seconds", 30, 1, 3600);
        int stacks = Args.intArg(args, "stacks", 3000, 1, 200_000);
        int bodyCount = Args.intArg(args, "bodies", 16, 1, 1000);
        int instances = Args.intArg(args, "instances", 50, 1, 100_000);
        int threads = Args.intArg(args, "threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        String apiKey = args.get("apiKey");

        byte[][] bodies = new byte[bodyCount][];
        long raw = 0;
        for (int i = 0; i < bodyCount; i++) {
            var profile = SyntheticProfiles.cpu(stacks, 3000, 1000 + i);
            bodies[i] = PprofWriter.toBytes(profile, true);
            raw += PprofWriter.toBytes(profile, false).length;
        }
        long gz = Arrays.stream(bodies).mapToLong(b -> b.length).sum();
        System.out.printf("bodies: %d x %d stacks, %.0f KB gzipped, %.0f KB raw on average%n",
                bodyCount, stacks, gz / 1024.0 / bodyCount, raw / 1024.0 / bodyCount);

        Result load = send(server, apiKey, bodies, clients, instances, Duration.ofSeconds(seconds));
        System.out.printf("ingest: %d clients, %d s: %.1f uploads/s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; statuses %s%n",
                clients, seconds, load.perSecond, load.p50Millis, load.p99Millis, load.maxMillis, load.statuses);

        double ceiling = decodeCeiling(bodies, threads, Duration.ofSeconds(Math.min(seconds, 20)));
        System.out.printf("ceiling (gunzip + parse only, %d threads): %.1f uploads/s; ingest reaches %.0f%% of it%n",
                threads, ceiling, 100 * load.perSecond / ceiling);
    }

    record Result(double perSecond, double p50Millis, double p99Millis, double maxMillis, Map<Integer, Long> statuses) {
    }

    static Result send(String server, String apiKey, byte[][] bodies, int clients, int instances, Duration length)
            throws InterruptedException {
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[1 << 16];
            latencies.add(mine);
            int client = c;
            Thread t = new Thread(() -> {
                // One client each: its own keep-alive connection, as separate agents would have.
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                int n = 0;
                long i = client;
                while (System.nanoTime() < end && n < mine.length) {
                    String instance = "load-" + (i % instances);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server
                                    + "/api/v1/ingest?service=ingest-load&instance=" + instance))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[(int) (i % bodies.length)]));
                    if (apiKey != null) {
                        b.header("Authorization", "Bearer " + apiKey);
                    }
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    mine[n++] = System.nanoTime() - t0;
                    statuses.merge(status, 1L, Long::sum);
                    if (status / 100 == 2) {
                        sent.incrementAndGet();
                    }
                    i += clients;
                }
                if (n < mine.length) {
                    mine[n] = -1;
                }
            }, "ingest-load-" + c);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            t.join();
        }
        double secondsTaken = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(a -> Arrays.stream(a).takeWhile(v -> v > 0)).sorted().toArray();
        return new Result(sent.get() / secondsTaken, percentile(all, 0.50), percentile(all, 0.99),
                all.length == 0 ? 0 : all[all.length - 1] / 1e6, new java.util.TreeMap<>(statuses));
    }

    /** Uploads per second that gunzip and parse alone reach on {@code threads} threads. */
    static double decodeCeiling(byte[][] bodies, int threads, Duration length) throws InterruptedException {
        // Warm the decoder first so the figure is steady state, as a long-running server's is.
        for (int i = 0; i < 200; i++) {
            PprofReader.read(bodies[i % bodies.length], DecodeLimits.DEFAULT);
        }
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + length.toNanos();
        long start = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread w = new Thread(() -> {
                int i = first;
                while (System.nanoTime() < end) {
                    PprofReader.read(bodies[i++ % bodies.length], DecodeLimits.DEFAULT);
                    done.incrementAndGet();
                }
            }, "decode-ceiling-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
