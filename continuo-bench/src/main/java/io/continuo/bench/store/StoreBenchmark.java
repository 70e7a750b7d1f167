package io.continuo.bench.store;

import io.continuo.model.FlameTree;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.SeriesRows;
import io.continuo.store.StoreStats;
import io.continuo.store.WriteBatch;
import io.continuo.store.clickhouse.ClickHouseConfig;
import io.continuo.store.clickhouse.ClickHouseProfileStore;
import io.continuo.store.duckdb.DuckDbConfig;
import io.continuo.store.duckdb.DuckDbProfileStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End-to-end benchmark of a store engine (embedded DuckDB by default, or ClickHouse) with synthetic profiles shaped like a JVM service's CPU profile:
 * a universe of call stacks (depth 10-40, shared prefixes) of which each 10 s upload holds ~3,000, picked
 * Zipf-like with Zipf-like values (multiples of a 10 ms sampling period, in nanoseconds).
 * <p>
 * Phases, in time order so rollups are built once at the end exactly as the maintenance thread would:
 * <ol>
 *   <li>days 7..1 ago: one upload per instance per hour (values x360, standing for 360 ten-second uploads)</li>
 *   <li>the last day except the last hour: {@code coarsePerHour} uploads per instance per hour (values scaled)</li>
 *   <li>the last hour: every instance every 10 s, through concurrent writers: this phase is the ingest figure</li>
 * </ol>
 * then a timed rollup, a checkpoint, and warm query latencies over 1 h, 24 h and 7 d.
 * <p>
 * Args (all optional, key=value): dir=/tmp/continuo-bench instances=50 stacks=3000 universe=8000 recentHours=1
 * coarsePerHour=6 days=7 writers=4 runs=20 memoryMb=1024 threads=2
 * <p>
 * {@code engine=clickhouse url=http://127.0.0.1:8123 database=continuo_bench} runs the same load and queries on the
 * ClickHouse engine (the database is dropped first when loading; rollups are written at ingest there, so the
 * rollup and checkpoint steps are skipped; {@code dir} then only keeps the bench-end marker). With
 * {@code cluster=NAME} (and {@code url} listing the nodes, comma-separated) it runs on a ClickHouse cluster.
 */
public final class StoreBenchmark {
    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long PERIOD_NANOS = 10_000_000L;
    private static final int VARIANTS = 32;

    private final Path dir;
    private final int instances;
    private final int stacksPerUpload;
    private final int universe;
    private final int recentHours;
    private final int coarsePerHour;
    private final int days;
    private final int writers;
    private final int runs;
    private final long memoryMb;
    private final boolean load;
    private final int threads;
    private final String engine;
    private final String url;
    private final String database;
    /** A ClickHouse cluster name: the schema is created ON CLUSTER as Replicated tables behind Distributed ones. */
    private final String cluster;
    private final List<Profile> variants = new ArrayList<>();
    private final List<Labels> labels = new ArrayList<>();

    private StoreBenchmark(String[] args) {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        dir = Path.of(a.getOrDefault("dir", "/tmp/continuo-bench"));
        instances = Integer.parseInt(a.getOrDefault("instances", "50"));
        stacksPerUpload = Integer.parseInt(a.getOrDefault("stacks", "3000"));
        universe = Integer.parseInt(a.getOrDefault("universe", "8000"));
        recentHours = Integer.parseInt(a.getOrDefault("recentHours", "1"));
        coarsePerHour = Integer.parseInt(a.getOrDefault("coarsePerHour", "6"));
        days = Integer.parseInt(a.getOrDefault("days", "7"));
        writers = Integer.parseInt(a.getOrDefault("writers", "4"));
        runs = Integer.parseInt(a.getOrDefault("runs", "20"));
        memoryMb = Long.parseLong(a.getOrDefault("memoryMb", "1024"));
        threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        load = Boolean.parseBoolean(a.getOrDefault("load", "true"));
        engine = a.getOrDefault("engine", "duckdb");
        url = a.getOrDefault("url", "http://127.0.0.1:8123");
        database = a.getOrDefault("database", "continuo_bench");
        cluster = a.get("cluster");
        if (!engine.equals("duckdb") && !engine.equals("clickhouse")) {
            throw new IllegalArgumentException("engine must be duckdb or clickhouse, got " + engine);
        }
    }

    public static void main(String[] args) throws Exception {
        new StoreBenchmark(args).run();
    }

    private void run() throws Exception {
        if (load) {
            deleteRecursively(dir);
        }
        long t0 = System.nanoTime();
        generate(new Random(7));
        System.out.printf(Locale.ROOT, "generated %d profile variants of %d stacks (universe %d) in %.1f s%n",
                variants.size(), stacksPerUpload, universe, (System.nanoTime() - t0) / 1e9);
        long end = load ? floor(System.currentTimeMillis(), MINUTE) - 2 * MINUTE : readEnd();
        long recentStart = end - recentHours * HOUR;
        long dayStart = end - DAY;
        long weekStart = end - days * DAY;

        Files.createDirectories(dir);
        try (ProfileStore store = open()) {
            System.out.printf(Locale.ROOT, "engine %s%n", engine.equals("clickhouse") ? "clickhouse " + url + " database "
                    + database : "duckdb " + dir);
            if (load) {
                load(store, end, recentStart, dayStart, weekStart);
            }
            Files.writeString(dir.resolve("bench-end"), Long.toString(end));
            queries(store, end);
        }
    }

    private ProfileStore open() throws Exception {
        if (engine.equals("clickhouse")) {
            if (load) {
                dropDatabase();
            }
            ClickHouseConfig.Builder config = ClickHouseConfig.builder(url).database(database)
                    .defaultRetention(Duration.ofDays(days + 30L)).maintenanceInterval(Duration.ofDays(1));
            return ClickHouseProfileStore.open((cluster == null ? config : config.cluster(cluster)).build());
        }
        return DuckDbProfileStore.open(DuckDbConfig.builder(dir).memoryLimitBytes(memoryMb << 20).threads(threads)
                .defaultRetention(Duration.ofDays(days + 30L))
                // rollups are run once, timed, after loading in time order (see the class doc)
                .maintenanceInterval(Duration.ofDays(1)).build());
    }

    /** A fresh ClickHouse database: the store creates its tables on open. */
    private void dropDatabase() throws Exception {
        String firstUrl = url.split(",")[0];
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(firstUrl.endsWith("/") ? firstUrl : firstUrl + "/"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("DROP DATABASE IF EXISTS " + database
                        + (cluster == null ? "" : " ON CLUSTER " + cluster)))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("cannot drop " + database + ": " + r.body());
        }
    }

    private long readEnd() throws java.io.IOException {
        return Long.parseLong(Files.readString(dir.resolve("bench-end")).trim());
    }

    private void load(ProfileStore store, long end, long recentStart, long dayStart, long weekStart)
            throws Exception {
        {
            Phase old = load(store, weekStart, Math.min(dayStart, recentStart), HOUR, 360);
            System.out.printf(Locale.ROOT, "older days: %s%n", old);
            long coarseStep = HOUR / coarsePerHour;
            Phase day = load(store, Math.max(dayStart, weekStart), recentStart, coarseStep, (int) (coarseStep / (10 * SECOND)));
            System.out.printf(Locale.ROOT, "last day (coarse): %s%n", day);
            Phase recent = load(store, recentStart, end, 10 * SECOND, 1);
            System.out.printf(Locale.ROOT, "INGEST last %d h at 10 s, %d instances, %d writers: %s%n",
                    recentHours, instances, writers, recent);

            if (!(store instanceof DuckDbProfileStore duck)) {
                StoreStats all = store.stats();
                System.out.printf(Locale.ROOT, "ROLLUP none needed (written at ingest); all tables: %d raw + %d rollup"
                                + " rows (before merges), %d stacks, %d frames, %d bytes in active parts, %.2f bytes/raw row%n",
                        all.sampleRows(), all.rollupRows(), all.stacks(), all.frames(), all.bytesOnDisk(),
                        all.bytesOnDisk() / (double) all.sampleRows());
                return;
            }
            long c0 = System.nanoTime();
            duck.checkpoint();
            StoreStats raw = store.stats();
            System.out.printf(Locale.ROOT, "checkpoint %.1f s; raw only: %d rows, %d bytes, %.2f bytes/row%n",
                    (System.nanoTime() - c0) / 1e9, raw.sampleRows(), raw.bytesOnDisk(),
                    raw.bytesOnDisk() / (double) raw.sampleRows());

            long r0 = System.nanoTime();
            duck.runMaintenance();
            double rollupSeconds = (System.nanoTime() - r0) / 1e9;
            duck.checkpoint();
            StoreStats all = store.stats();
            long rows = all.sampleRows() + all.rollupRows();
            System.out.printf(Locale.ROOT, "ROLLUP %.1f s; all tables: %d raw + %d rollup rows, %d stacks, %d frames,"
                            + " %d bytes, %.2f bytes/row%n", rollupSeconds, all.sampleRows(), all.rollupRows(),
                    all.stacks(), all.frames(), all.bytesOnDisk(), all.bytesOnDisk() / (double) rows);
        }
    }

    private void queries(ProfileStore store, long end) {
        {

            Selector service = Selector.parse("{service=\"shop\"}");
            Selector oneInstance = Selector.parse("{service=\"shop\",instance=\"i-07\"}");
            for (long range : new long[]{HOUR, DAY, days * DAY}) {
                ProfileQuery q = new ProfileQuery("default", "cpu", service, end - range, end);
                ProfileQuery q1 = new ProfileQuery("default", "cpu", oneInstance, end - range, end);
                long step = range <= HOUR ? MINUTE : range <= DAY ? 15 * MINUTE : HOUR;
                double[] fg = time(() -> store.flameGraph(q));
                double[] fg1 = time(() -> store.flameGraph(q1));
                double[] tot = time(() -> store.totals(q, step, List.of("instance")));
                FlameTree tree = store.flameGraph(q);
                System.out.printf(Locale.ROOT, "QUERY %s: flameGraph all %d instances p50 %.0f ms p95 %.0f ms "
                                + "(%d nodes); one instance p50 %.0f ms p95 %.0f ms; totals by instance step %d s "
                                + "p50 %.0f ms p95 %.0f ms%n", label(range), instances, fg[0], fg[1], tree.size(),
                        fg1[0], fg1[1], step / 1000, tot[0], tot[1]);
            }
        }
    }

    private static String label(long range) {
        return range < DAY ? range / HOUR + " h" : range == DAY ? "24 h" : range / DAY + " d";
    }

    private record Phase(int uploads, long rows, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d uploads, %d rows in %.1f s = %.0f uploads/s, %.0f rows/s",
                    uploads, rows, seconds, uploads / seconds, rows / seconds);
        }
    }

    /** Writes an upload per instance every {@code step} in [from, until), values multiplied by {@code scale}. */
    private Phase load(ProfileStore store, long from, long until, long step, int scale) throws Exception {
        if (until <= from) {
            return new Phase(0, 0, 1e-9);
        }
        int slots = (int) ((until - from + step - 1) / step);
        int total = slots * instances;
        AtomicInteger next = new AtomicInteger();
        long[] rows = new long[writers];
        Thread[] pool = new Thread[writers];
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            int id = w;
            pool[w] = new Thread(() -> {
                Random rnd = new Random(id);
                for (int i; (i = next.getAndIncrement()) < total; ) {
                    long ts = from + (i / instances) * step;
                    int instance = i % instances;
                    Profile p = variants.get(rnd.nextInt(variants.size()));
                    int n = p.sampleCount();
                    int[] stacks = new int[n];
                    long[] values = new long[n];
                    for (int s = 0; s < n; s++) {
                        stacks[s] = p.stack(s);
                        values[s] = p.value(s, 0) * scale;
                    }
                    SeriesRows r = new SeriesRows(labels.get(instance), ProfileType.CPU, stacks, values, n);
                    store.write(new WriteBatch("default", ts, ts + 10 * SECOND, p, List.of(r), List.of()));
                    rows[id] += n;
                }
            }, "bench-writer-" + w);
            pool[w].start();
        }
        for (Thread t : pool) {
            t.join();
        }
        return new Phase(total, Arrays.stream(rows).sum(), (System.nanoTime() - start) / 1e9);
    }

    private double[] time(Runnable query) {
        for (int i = 0; i < 3; i++) {
            query.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            query.run();
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(ms);
        return new double[]{ms[runs / 2], ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.95) - 1)]};
    }

    // ---------------------------------------------------------------- synthetic profiles

    private void generate(Random rnd) {
        for (int i = 0; i < instances; i++) {
            labels.add(Labels.of("service", "shop", "instance", String.format(Locale.ROOT, "i-%02d", i),
                    "env", "prod", "version", "1.4." + (i % 3)));
        }
        // A universe of stacks as root-first frame-name index paths; later stacks reuse an earlier one's prefix.
        int vocabulary = 3000;
        String[] names = new String[vocabulary];
        for (int i = 0; i < vocabulary; i++) {
            names[i] = "com.example.pkg" + (i % 37) + ".Class" + (i % 211) + ".method" + i;
        }
        int[][] paths = new int[universe][];
        for (int u = 0; u < universe; u++) {
            int depth = 10 + rnd.nextInt(31);
            int[] path = new int[depth];
            int shared = 0;
            if (u > 0) {
                int[] base = paths[rnd.nextInt(u)];
                shared = Math.min(depth - 1, 2 + rnd.nextInt(Math.max(1, base.length - 2)));
                shared = Math.min(shared, base.length);
                System.arraycopy(base, 0, path, 0, shared);
            } else {
                path[0] = 0;
                shared = 1;
            }
            for (int d = shared; d < depth; d++) {
                path[d] = zipf(rnd, vocabulary, 0.8);
            }
            paths[u] = path;
        }
        for (int v = 0; v < VARIANTS; v++) {
            ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
            int[] frameOf = new int[vocabulary];
            Arrays.fill(frameOf, -1);
            boolean[] used = new boolean[universe];
            int distinct = 0;
            int[] frames = new int[48];
            while (distinct < Math.min(stacksPerUpload, universe)) {
                int u = zipf(rnd, universe, 0.7);
                if (used[u]) {
                    continue;
                }
                used[u] = true;
                distinct++;
                int[] path = paths[u];
                for (int d = 0; d < path.length; d++) {
                    if (frameOf[path[d]] < 0) {
                        frameOf[path[d]] = b.frame(names[path[d]]);
                    }
                    frames[d] = frameOf[path[d]];
                }
                long samples = 1 + (long) Math.floor(Math.pow(rnd.nextDouble(), -0.9)) + (u < 50 ? 20 : 0);
                b.addSample(frames, path.length, new long[]{samples * PERIOD_NANOS}, Labels.EMPTY);
            }
            variants.add(b.build());
        }
    }

    /** A rank in [0, n) with probability roughly proportional to 1 / (rank+1)^s. */
    private static int zipf(Random rnd, int n, double s) {
        double u = rnd.nextDouble();
        double x = Math.pow(n, 1 - s) * u;
        int r = (int) Math.pow(x, 1 / (1 - s)) - 1;
        return Math.max(0, Math.min(n - 1, r));
    }

    private static long floor(long t, long unit) {
        return Math.floorDiv(t, unit) * unit;
    }

    private static void deleteRecursively(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
