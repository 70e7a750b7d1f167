package io.continuo.server.self;

import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.server.ServerConfig;
import io.continuo.server.ingest.IngestService;
import io.continuo.server.ingest.ProfileDecoder;
import io.continuo.store.MetricPoint;
import io.continuo.store.ProfileStore;
import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server profiles itself: a JFR recording with only profiling events, cut every interval and stored through the
 * normal ingest path as service {@value ServerConfig#SELF_SERVICE}, plus its runtime metrics. A fresh start thus
 * shows real data. JFR's environment, system-property and process events are never enabled.
 */
public final class SelfProfiler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SelfProfiler.class);

    private final IngestService ingest;
    private final ProfileDecoder decoder;
    private final ProfileStore store;
    private static final Duration FIRST_CUT = Duration.ofSeconds(3);

    private final Duration interval;
    private final Labels labels;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Recording current;
    private long currentStart;
    private long lastGcMillis = gcMillis();
    private long lastCpuNanos = processCpuNanos();
    private long lastWallNanos = System.nanoTime();

    public SelfProfiler(IngestService ingest, ProfileDecoder decoder, ProfileStore store, Duration interval, String version) {
        this.ingest = ingest;
        this.decoder = decoder;
        this.store = store;
        this.interval = interval;
        this.labels = Labels.of(Labels.SERVICE, ServerConfig.SELF_SERVICE, Labels.INSTANCE, hostName(),
                Labels.VERSION, version == null ? "dev" : version);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "continuo-self-profiler");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        current = newRecording();
        currentStart = System.currentTimeMillis();
        // The first cut comes early so a fresh server shows its own profile within seconds of starting.
        long first = Math.min(interval.toMillis(), FIRST_CUT.toMillis());
        scheduler.schedule(this::cut, first, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(this::cut, first + interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    static Recording newRecording() {
        Recording r = new Recording();
        r.setName("continuo-self");
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(20));
        r.enable("jdk.ObjectAllocationSample").with("throttle", "100/s");
        r.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofMillis(10));
        r.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(10));
        r.setToDisk(true);
        r.start();
        return r;
    }

    /** Starts the next recording before stopping the previous, so no interval goes unsampled. */
    private void cut() {
        if (closed.get()) {
            return;
        }
        Path file = null;
        try {
            Recording previous = current;
            long from = currentStart;
            current = newRecording();
            currentStart = System.currentTimeMillis();
            previous.stop();
            file = Files.createTempFile("continuo-self", ".jfr");
            previous.dump(file);
            previous.close();
            byte[] bytes = Files.readAllBytes(file);
            List<Profile> profiles;
            try {
                profiles = decoder.jfr(bytes, null);
            } catch (ProfileDecoder.DecodeException e) {
                if (!e.reason().equals(ProfileDecoder.NO_SAMPLES)) {
                    throw e;
                }
                profiles = List.of(); // an idle interval: nothing sampled, the runtime metrics still count
            }
            for (Profile p : profiles) {
                ingest.ingest(ServerConfig.DEFAULT_TENANT, labels, p, from, currentStart);
            }
            store.writeMetrics(ServerConfig.DEFAULT_TENANT, labels, runtimeMetrics(currentStart));
        } catch (Exception e) {
            // Self-profiling is a convenience: a failure is logged and retried next interval, never fatal.
            LOG.warn("self-profiling interval failed: {}", e.toString());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // temp file cleanup is best effort
                }
            }
        }
    }

    private List<MetricPoint> runtimeMetrics(long now) {
        List<MetricPoint> points = new ArrayList<>();
        long cpu = processCpuNanos();
        long wall = System.nanoTime();
        int cores = Runtime.getRuntime().availableProcessors();
        if (cpu >= 0 && wall > lastWallNanos) {
            points.add(new MetricPoint("process_cpu_ratio", now, (cpu - lastCpuNanos) / (double) (wall - lastWallNanos) / cores));
        }
        lastCpuNanos = cpu;
        lastWallNanos = wall;
        long heapAfterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && usage != null) {
                heapAfterGc += usage.getUsed();
            }
        }
        points.add(new MetricPoint("heap_used_after_gc_bytes", now, heapAfterGc));
        points.add(new MetricPoint("heap_used_bytes", now, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
        long gc = gcMillis();
        points.add(new MetricPoint("gc_pause_ns", now, (gc - lastGcMillis) * 1_000_000.0));
        lastGcMillis = gc;
        points.add(new MetricPoint("live_threads", now, ManagementFactory.getThreadMXBean().getThreadCount()));
        return points;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Recording r = current;
        if (r != null) {
            r.close();
        }
    }
}
