package io.continuo.server.insights;

import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.Labels;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.server.TestServer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Planted faults and clean controls, as real pprof uploads and metric points through a real server's HTTP API over
 * synthetic timestamps ending at {@code end}. Noise is seeded, so every run uploads the same bytes.
 */
public final class Scenarios {
    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;
    static final long CADENCE = 5 * MIN;
    static final long UPLOAD_WINDOW = MIN;

    /** A planted fault: which service, which insight kind, the culprit function and when the fault began. */
    record Fault(String service, String kind, String culprit, long start) {
    }

    final long end;
    final List<Fault> faults = new ArrayList<>();
    final List<String> cleanServices = new ArrayList<>();
    private final List<Runnable> uploads = new ArrayList<>();
    private final TestServer server;

    public Scenarios(TestServer server, long end) {
        this.server = server;
        this.end = end - end % CADENCE;
    }

    /** Uploads everything, four requests at a time (the store commits concurrent batches together). */
    public void upload() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (Runnable r : uploads) {
                fs.add(pool.submit(r));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        uploads.clear();
    }

    // ---- the scenarios ---------------------------------------------------------------------------------------

    /** A leak that starts with version 1.1 on one instance; a healthy instance next to it; max heap known. */
    void leak(String service, long seed) {
        Random r = new Random(seed);
        long from = end - 8 * HOUR;
        long deploy = end - 5 * HOUR;
        String culprit = "com.shop.session.SessionCache.put";
        faults.add(new Fault(service, Insight.MEMORY_LEAK, culprit, deploy));
        for (String instance : List.of("i-1", "i-2")) {
            boolean leaking = instance.equals("i-1");
            List<double[]> heap = new ArrayList<>();
            for (long t = from; t < end; t += CADENCE) {
                String version = t < deploy ? "1.0" : "1.1";
                double hours = Math.max(0, (t - deploy) / (double) HOUR);
                double leakBytes = leaking ? hours * 40e6 : 0;
                heap.add(new double[]{t, 300e6 * (1 + 0.04 * r.nextGaussian()) + leakBytes});
                cpu(service, instance, version, t, r, Map.of(), 1.0);
                Map<String, Long> alloc = new LinkedHashMap<>();
                alloc.put("com.shop.web.Handler.handle;com.shop.json.Encoder.write", noisy(r, 400e6));
                alloc.put("com.shop.web.Handler.handle;com.shop.db.Rows.read", noisy(r, 300e6));
                alloc.put("com.shop.web.Handler.handle;java.util.Arrays.copyOf", noisy(r, 200e6));
                Map<String, Long> inuse = new LinkedHashMap<>();
                inuse.put("com.shop.web.Handler.handle;com.shop.db.Pool.init", noisy(r, 150e6));
                inuse.put("com.shop.web.Handler.handle;com.shop.cache.Catalog.load", noisy(r, 100e6));
                if (!version.equals("1.0")) {
                    alloc.put("com.shop.web.Handler.handle;" + culprit, noisy(r, leaking ? 40e6 + 30e6 * hours : 40e6));
                    inuse.put("com.shop.web.Handler.handle;" + culprit, noisy(r, 5e6 + leakBytes));
                }
                Labels labels = Labels.of("service", service, "instance", instance, "version", version, "env", "prod");
                upload(labels, t, List.of(ProfileType.ALLOC_BYTES), alloc);
                upload(labels, t, List.of(ProfileType.INUSE_BYTES), inuse);
            }
            metrics(Labels.of("service", service, "instance", instance, "env", "prod"), heap, 1024e6);
        }
    }

    /**
     * A slow leak in a 1 GB heap as the Java agent now reports it: a heap reading after every young collection
     * (every 10 s here), 300 KB/s retained from {@code onset}, no old collection; allocation and leak-site
     * ({@code inuse_objects}) profiles every 10 s. When {@code leaking} is false, the same app without the leak:
     * same heap, same allocation rate, a flat reading with survivor noise. Runs from {@code onset - 20 min} to
     * {@code until}.
     */
    void youngGcHeap(String service, boolean leaking, long onset, long until, long seed) {
        Random r = new Random(seed);
        String culprit = "com.shop.session.SessionCache.put";
        if (leaking) {
            faults.add(new Fault(service, Insight.MEMORY_LEAK, culprit, onset));
        } else {
            cleanServices.add(service);
        }
        long step = 10_000;
        List<double[]> heap = new ArrayList<>();
        Labels labels = Labels.of("service", service, "instance", "j-1", "version", "1.0");
        for (long t = onset - 20 * MIN; t < until; t += step) {
            double leaked = leaking && t >= onset ? (t - onset) / 1000.0 * 300e3 : 0;
            heap.add(new double[]{t, 60e6 + 6e6 * r.nextGaussian() + leaked});
            Map<String, Long> alloc = new LinkedHashMap<>();
            for (String site : List.of("Json.encode", "Rows.read", "Template.render", "Log.append", "Cache.lookup")) {
                alloc.put("com.shop.web.Handler.handle;com.shop." + site + ";byte[]", noisy(r, 10e6 * step / 1000.0));
            }
            Map<String, Long> inuse = new LinkedHashMap<>();
            inuse.put("com.shop.Main.main;com.shop.db.Pool.init;byte[]", noisy(r, 20));
            inuse.put("com.shop.Main.main;com.shop.cache.Catalog.load;java.lang.String", noisy(r, 10));
            if (leaking && t >= onset) {
                alloc.put("com.shop.web.Handler.handle;" + culprit + ";byte[]", noisy(r, 300e3 * step / 1000.0));
                inuse.put("com.shop.web.Handler.handle;" + culprit + ";byte[]", Math.max(1, (long) (leaked / 2e6)));
            }
            upload(labels, t, List.of(ProfileType.ALLOC_BYTES), alloc, step);
            upload(labels, t, List.of(ProfileType.INUSE_OBJECTS), inuse, step);
        }
        metrics(Labels.of("service", service, "instance", "j-1"), heap, 1024e6);
    }

    /** 26 hours of steady CPU with noise, then 20 minutes where one function triples the service's CPU. */
    void cpuSpike(String service, long seed) {
        Random r = new Random(seed);
        long spikeStart = end - 2 * HOUR;
        String culprit = "com.api.report.ReportExporter.render";
        faults.add(new Fault(service, Insight.CPU_SPIKE, culprit, spikeStart));
        for (long t = end - 26 * HOUR; t < end; t += CADENCE) {
            boolean spiking = t >= spikeStart && t < spikeStart + 20 * MIN;
            Map<String, Double> extra = spiking ? Map.of("com.api.web.Router.route;" + culprit, 2.0) : Map.of();
            for (String instance : List.of("a-1", "a-2")) {
                cpu(service, instance, "3.2", t, r, extra, 1.0);
            }
        }
    }

    /** Version 2.0 spends four times as much in one function on both instances. */
    public void regression(String service, long seed) {
        Random r = new Random(seed);
        long deploy = end - 3 * HOUR;
        String culprit = "com.checkout.pricing.Pricing.applyDiscounts";
        faults.add(new Fault(service, Insight.REGRESSION, culprit, deploy));
        for (long t = end - 9 * HOUR; t < end; t += CADENCE) {
            boolean v2 = t >= deploy;
            Map<String, Double> extra = Map.of("com.checkout.web.Checkout.submit;" + culprit, v2 ? 0.45 : 0.06);
            for (String instance : List.of("c-1", "c-2", "c-3")) {
                cpu(service, instance, v2 ? "2.0" : "1.9", t, r, extra, 1.0);
            }
        }
    }

    /**
     * Clean: two days of CPU with a daily cycle (±30%), a deployment that changes nothing, a heap that saws up and
     * down with GC and restarts once, and allocation profiles with noise.
     */
    void clean(String service, long seed) {
        Random r = new Random(seed);
        cleanServices.add(service);
        long from = end - 50 * HOUR;
        long deploy = end - 4 * HOUR;
        List<double[]> heap = new ArrayList<>();
        for (long t = from; t < end; t += CADENCE) {
            String version = t < deploy ? "5.0" : "5.1";
            double daily = 1 + 0.3 * Math.sin(2 * Math.PI * (t % (24 * HOUR)) / (24 * HOUR));
            for (String instance : List.of("k-1", "k-2")) {
                cpu(service, instance, version, t, r, Map.of(), daily);
            }
            if (t >= end - 8 * HOUR) {
                double saw = ((t / CADENCE) % 6) * 10e6;
                double restart = t < end - 5 * HOUR ? 40e6 : 0;
                heap.add(new double[]{t, 250e6 * (1 + 0.04 * r.nextGaussian()) + saw + restart});
                Map<String, Long> alloc = new LinkedHashMap<>();
                alloc.put("com.search.Index.query;com.search.Tokenizer.split", noisy(r, 300e6));
                alloc.put("com.search.Index.query;com.search.Scorer.score", noisy(r, 200e6));
                upload(Labels.of("service", service, "instance", "k-1", "version", version), t,
                        List.of(ProfileType.ALLOC_BYTES), alloc);
            }
        }
        metrics(Labels.of("service", service, "instance", "k-1"), heap, 1024e6);
    }

    // ---- building blocks -------------------------------------------------------------------------------------

    /** One minute of CPU: a fixed mix of functions (in cores), scaled by {@code scale}, plus {@code extra} cores. */
    private void cpu(String service, String instance, String version, long t, Random r, Map<String, Double> extra, double scale) {
        Map<String, Long> stacks = new LinkedHashMap<>();
        double ns = UPLOAD_WINDOW * 1e6;
        stacks.put("java.lang.Thread.run;app.Server.handle;app.Json.encode", (long) (ns * 0.30 * scale * (1 + 0.08 * r.nextGaussian())));
        stacks.put("java.lang.Thread.run;app.Server.handle;app.Db.query", (long) (ns * 0.20 * scale * (1 + 0.08 * r.nextGaussian())));
        stacks.put("java.lang.Thread.run;app.Server.handle;app.Template.render", (long) (ns * 0.15 * scale * (1 + 0.08 * r.nextGaussian())));
        stacks.put("java.lang.Thread.run;app.Gc.work", (long) (ns * 0.10 * scale * (1 + 0.08 * r.nextGaussian())));
        stacks.put("java.lang.Thread.run;app.Log.append", (long) (ns * 0.05 * scale * (1 + 0.08 * r.nextGaussian())));
        extra.forEach((stack, cores) -> stacks.put("java.lang.Thread.run;" + stack,
                (long) (ns * cores * scale * (1 + 0.08 * r.nextGaussian()))));
        upload(Labels.of("service", service, "instance", instance, "version", version, "env", "prod"), t,
                List.of(ProfileType.CPU), stacks);
    }

    private static long noisy(Random r, double v) {
        return Math.max(1, (long) (v * (1 + 0.08 * r.nextGaussian())));
    }

    private void upload(Labels labels, long t, List<ProfileType> types, Map<String, Long> stacks) {
        upload(labels, t, types, stacks, UPLOAD_WINDOW);
    }

    private void upload(Labels labels, long t, List<ProfileType> types, Map<String, Long> stacks, long window) {
        ProfileBuilder b = new ProfileBuilder(types);
        b.window(t * 1_000_000, window * 1_000_000);
        stacks.forEach((stack, value) -> {
            String[] names = stack.split(";");
            int[] ids = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                ids[i] = b.frame(names[i]);
            }
            b.addSample(ids, ids.length, new long[]{Math.max(1, value)}, Labels.EMPTY);
        });
        byte[] body = PprofWriter.toBytes(b.build(), true);
        StringBuilder q = new StringBuilder("/api/v1/ingest?format=pprof&from=").append(t).append("&until=").append(t + window);
        labels.forEach((k, v) -> q.append('&').append(k).append('=').append(v));
        uploads.add(() -> {
            TestServer.Response resp = server.post(q.toString(), body);
            if (resp.status() != 200) {
                throw new IllegalStateException("upload failed: " + resp);
            }
        });
    }

    private void metrics(Labels labels, List<double[]> heap, double max) {
        StringBuilder json = new StringBuilder("{\"points\":[");
        for (int i = 0; i < heap.size(); i++) {
            double[] p = heap.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"timestamp\":%d,\"values\":{\"heap_used_after_gc_bytes\":%.0f,\"heap_max_bytes\":%.0f}}",
                    (long) p[0], p[1], max));
        }
        json.append("]}");
        StringBuilder q = new StringBuilder("/api/v1/ingest/metrics?");
        labels.forEach((k, v) -> q.append(q.charAt(q.length() - 1) == '?' ? "" : "&").append(k).append('=').append(v));
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        uploads.add(() -> {
            TestServer.Response resp = server.post(q.toString(), body, Map.of("Content-Type", "application/json"));
            if (resp.status() != 200) {
                throw new IllegalStateException("metrics upload failed: " + resp);
            }
        });
    }
}
