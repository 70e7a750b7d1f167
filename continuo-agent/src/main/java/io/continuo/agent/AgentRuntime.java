package io.continuo.agent;

import io.continuo.agent.async.AsyncEngine;
import io.continuo.agent.config.AgentConfig;
import io.continuo.agent.control.BudgetController;
import io.continuo.agent.control.SamplingRates;
import io.continuo.agent.jfr.Family;
import io.continuo.agent.jfr.JfrEngine;
import io.continuo.agent.metrics.CpuClock;
import io.continuo.agent.metrics.HeapAfterGc;
import io.continuo.agent.metrics.MetricsJson;
import io.continuo.agent.otel.SpanRegistry;
import io.continuo.agent.pprof.PprofEncoder;
import io.continuo.agent.pprof.ProfileBuilder;
import io.continuo.agent.upload.Backoff;
import io.continuo.agent.upload.BoundedQueue;
import io.continuo.agent.upload.Payload;
import io.continuo.agent.upload.SocketTransport;
import io.continuo.agent.upload.Uploader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wires the pieces together and owns the interval clock. Everything that touches profile data runs on
 * the one JFR stream thread ("continuo-jfr"): event handlers, the once-a-second control step and the
 * per-interval encode; only finished byte arrays cross to the uploader thread, through the bounded queue.
 */
final class AgentRuntime {
    private static final long CONTROL_STEP_NANOS = 900_000_000L;
    private static final long FLUSH_SLACK_NANOS = 500_000_000L;
    private static final String PPROF = "application/octet-stream";
    private static final String JSON = "application/json";
    /** The whole exit flush (final aggregation and upload) never holds the JVM's exit longer than this. */
    static final long EXIT_BUDGET_NANOS = 2_000_000_000L;
    /** JFR flushes about once a second: waiting a little longer catches the flush that holds the last samples. */
    private static final long EXIT_FLUSH_WAIT_NANOS = 1_300_000_000L;

    private final AgentConfig config;
    private final SamplingRates rates;
    private final BudgetController controller;
    private final JfrEngine engine;
    /**
     * The opt-in CPU engine when {@code engine=async} loaded and started; null otherwise (and after it
     * failed). Set on the stream thread; with engine=jfr its class is never loaded.
     */
    private volatile AsyncEngine async;
    private final BoundedQueue queue;
    private final Uploader uploader;
    private final PprofEncoder encoder = new PprofEncoder();
    private final CpuClock cpuClock = new CpuClock();
    private final HeapAfterGc heapAfterGc = new HeapAfterGc();
    /** Whether heap readings come from GC notifications (after every collection); set before the first interval. */
    private volatile boolean heapListening;
    private final String identityQuery;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private long intervalStartMillis = System.currentTimeMillis();
    private long intervalStartNanos = System.nanoTime();
    private long lastStepNanos = System.nanoTime();
    private long lastAgentCpu = -1;
    private long lastJavaAgentCpu = -1;
    private int lastSourceChanges;
    private long intervalJavaAgentCpu;
    private long lastProcessCpu = -1;
    private long intervalAgentCpu;
    private long intervalProcessCpu;
    private volatile long intervals;
    /** Set by the shutdown hook; the stream thread then aggregates and queues the partial interval once. */
    private volatile boolean exitRequested;
    private boolean finalFlushDone;
    private final CountDownLatch finalFlushed = new CountDownLatch(1);

    AgentRuntime(AgentConfig config) {
        this.config = config;
        this.rates = new SamplingRates(config.cpuInterval.toNanos(), config.allocRate, config.lockThreshold.toNanos());
        this.controller = new BudgetController(config.cpuBudget);
        this.engine = new JfrEngine(config, rates, this::onFlush, this::fail);
        this.queue = new BoundedQueue(config.queueCapacity, config.queueMaxBytes);
        this.uploader = new Uploader(queue, new SocketTransport(config.server, config.timeout, config.apiKey, config.tenant),
                new Backoff(config.backoffBase, config.backoffMax, new Random()), config.maxRetries, Uploader.realSleeper());
        this.identityQuery = identityQuery(config);
        SpanRegistry.setMaxEndpoints(config.maxEndpoints);
    }

    /** Runs on the continuo-jfr thread until {@link #stop()}. */
    void run() {
        uploader.start();
        registerExitHook();
        if (config.metrics) startHeapReadings();
        if (config.cpu && config.engine == AgentConfig.Engine.ASYNC) startAsync();
        if (engine.cpu != null && async == null) engine.cpu.builder().setComment("engine=jfr");
        Log.info("profiling " + config + "; agent CPU from " + cpuClock.source());
        engine.run();
        // The stream ended: closed by the exit hook, or stopped by JFR's own shutdown hook first.
        if (exitRequested && !stopped.get()) finalFlush();
    }

    private void startHeapReadings() {
        try {
            heapListening = heapAfterGc.start();
            if (!heapListening) Log.debug("no GC notifications: heap_used_after_gc_bytes from pool collection usage");
        } catch (Throwable t) {
            Log.debug("no GC notifications: " + t);
        }
    }

    private void registerExitHook() {
        try {
            Thread hook = new Thread(new ExitHook(this), "continuo-shutdown");
            hook.setDaemon(true);
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (Throwable t) {
            // Already shutting down, or a security manager says no: the last interval is simply not sent.
            Log.debug("no exit flush: " + t);
        }
    }

    /**
     * Runs on the shutdown-hook thread: asks the stream thread for one last aggregation (at its next JFR
     * flush, or when the stream ends), then gives the uploader what is left of {@link #EXIT_BUDGET_NANOS}
     * to send it. Never throws and never waits longer than the budget; the daemon threads die with the JVM.
     */
    void onExit() {
        try {
            long deadline = System.nanoTime() + EXIT_BUDGET_NANOS;
            if (stopped.get()) return;
            uploader.finishing();
            exitRequested = true;
            if (!finalFlushed.await(EXIT_FLUSH_WAIT_NANOS, TimeUnit.NANOSECONDS)) {
                // No flush came (JFR may be shutting down too): end the stream so the stream thread flushes.
                closeEngineWithin(Math.max(0, Math.min(200_000_000L, deadline - System.nanoTime())));
                finalFlushed.await(Math.max(0, Math.min(200_000_000L, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            }
            boolean sent = uploader.finishBy(deadline);
            Log.debug("exit flush " + (sent ? "done" : "cut short") + " after "
                    + (System.nanoTime() - deadline + EXIT_BUDGET_NANOS) / 1_000_000 + " ms");
        } catch (Throwable ignored) {
            // Exiting anyway; nothing here may disturb the app's shutdown.
        }
    }

    /**
     * Before JFR starts: async-profiler takes the CPU samples if it loads and starts, and JFR's execution
     * sampler stays off for CPU; otherwise {@link AsyncEngine#start} has logged one line and JFR samples CPU.
     */
    private void startAsync() {
        AsyncEngine a = AsyncEngine.start(config.asyncProfilerPath, rates.cpuPeriod(), config.maxStackDepth);
        if (a == null) return;
        async = a;
        engine.cpuFromAsync();
        engine.cpu.builder().setComment("engine=" + a.description());
        Log.info("CPU samples from " + a.description() + " (" + a.source() + ")");
    }

    /**
     * Moves async-profiler's samples into the CPU family and restarts it at {@code nextPeriodNanos} (0: leave
     * it stopped). When it fails, JFR takes CPU samples over (one line was logged).
     */
    private void drainAsync(long nextPeriodNanos) {
        AsyncEngine a = async;
        if (a == null) return;
        if (!a.drain(engine.cpu.builder(), nextPeriodNanos)) {
            async = null;
            engine.cpu.builder().setComment("engine=jfr");
            engine.cpuFromJfr();
        }
    }

    /** The CPU sampling period in force: async-profiler's running one, or JFR's. */
    private long cpuPeriodInForce() {
        AsyncEngine a = async;
        return a != null ? a.periodNanos() : rates.cpuPeriod();
    }

    /**
     * Closes the JFR stream from another daemon thread and waits at most {@code nanos}: when the app exits
     * while JFR is still starting, {@code RecordingStream.start} holds JFR's recorder lock in a native call
     * that does not return during shutdown, and a close on the hook thread would block on that lock and
     * keep the JVM from ever exiting.
     */
    private void closeEngineWithin(long nanos) throws InterruptedException {
        Thread t = new Thread(new Closer(engine), "continuo-close");
        t.setDaemon(true);
        t.start();
        t.join(Math.max(1, nanos / 1_000_000));
    }

    private static final class Closer implements Runnable {
        private final JfrEngine engine;

        Closer(JfrEngine engine) { this.engine = engine; }

        @Override
        public void run() { engine.close(); }
    }

    /** On the stream thread, at most once: the partial interval since the last upload. */
    private void finalFlush() {
        if (finalFlushDone) return;
        finalFlushDone = true;
        try {
            long now = System.nanoTime();
            controlStep();
            drainAsync(0); // the JVM is exiting: collect, and leave async-profiler stopped
            flushInterval(intervalStartMillis, System.currentTimeMillis(), Math.max(1, now - intervalStartNanos));
        } finally {
            finalFlushed.countDown();
        }
    }

    void stop() {
        if (!stopped.compareAndSet(false, true)) return;
        AsyncEngine a = async;
        if (a != null) a.close();
        engine.close();
        uploader.stop();
    }

    /** Any internal failure ends profiling for good, with one line on stderr. */
    void fail(Throwable t) {
        if (stopped.get()) return;
        Log.warn("internal error, agent disabled: " + t);
        if (Log.debugEnabled()) t.printStackTrace();
        stop();
    }

    private void onFlush() {
        if (stopped.get() || finalFlushDone) return;
        if (exitRequested) {
            finalFlush();
            engine.close();
            return;
        }
        long now = System.nanoTime();
        if (now - lastStepNanos >= CONTROL_STEP_NANOS) {
            lastStepNanos = now;
            if (SpanRegistry.active()) SpanRegistry.trim();
            controlStep();
            // A new period reaches async-profiler by a restart, at most every few seconds in between intervals.
            AsyncEngine a = async;
            if (a != null && a.wantsPeriod(rates.cpuPeriod(), now)) drainAsync(rates.cpuPeriod());
        }
        // JFR flushes about once a second; half a flush of slack keeps intervals near the configured length.
        if (now - intervalStartNanos + FLUSH_SLACK_NANOS >= config.uploadInterval.toNanos()) {
            long until = System.currentTimeMillis();
            flushInterval(intervalStartMillis, until, now - intervalStartNanos);
            intervalStartMillis = until;
            intervalStartNanos = now;
        }
    }

    private void controlStep() {
        long agent = cpuClock.agentCpuNanos();
        long process = cpuClock.processCpuNanos();
        // The ThreadMXBean view of the same threads, reported next to the /proc one for comparison.
        long javaAgent = cpuClock.usesProc() ? cpuClock.javaThreadsCpuNanos() : -1;
        int changes = cpuClock.sourceChanges();
        if (changes != lastSourceChanges) {
            lastSourceChanges = changes;
            lastAgentCpu = -1; // the new source's total is not comparable with the old one
        }
        if (lastAgentCpu >= 0 && lastProcessCpu >= 0 && agent >= 0 && process >= 0) {
            long dAgent = Math.max(0, agent - lastAgentCpu);
            long dProcess = Math.max(0, process - lastProcessCpu);
            intervalAgentCpu += dAgent;
            intervalProcessCpu += dProcess;
            if (javaAgent >= 0 && lastJavaAgentCpu >= 0) intervalJavaAgentCpu += Math.max(0, javaAgent - lastJavaAgentCpu);
            if (config.adaptive) adapt(controller.observe(dAgent, dProcess));
        }
        lastAgentCpu = agent;
        lastProcessCpu = process;
        lastJavaAgentCpu = javaAgent;
    }

    private void adapt(double scale) {
        long period = Math.max(1, Math.round(config.cpuInterval.toMillis() * scale)) * 1_000_000L;
        if (period != rates.cpuPeriod()) {
            Instant t = Instant.now();
            rates.setCpuPeriod(t.getEpochSecond() * 1_000_000_000L + t.getNano(), period);
        }
        rates.setAllocRate(Math.max(1, Math.round(config.allocRate / scale)));
        rates.setLockThresholdNanos(Math.round(config.lockThreshold.toNanos() * scale));
        engine.applyRates();
    }

    private void flushInterval(long fromMillis, long untilMillis, long durationNanos) {
        intervals++;
        long timeNanos = fromMillis * 1_000_000L;
        drainAsync(rates.cpuPeriod());
        for (Family f : engine.families()) {
            ProfileBuilder b = f.builder();
            if (!b.isEmpty()) {
                b.setPeriod(f == engine.cpu ? cpuPeriodInForce() : 0);
                if (b.droppedSamples() > 0) Log.debug(f.name + ": " + b.droppedSamples() + " samples over the row cap");
                byte[] body = encoder.encodeGzip(b, timeNanos, durationNanos);
                queue.offer(new Payload("/api/v1/ingest?" + identityQuery + "&format=pprof&from=" + fromMillis
                        + "&until=" + untilMillis, PPROF, body, f.name + " profile"));
            }
            f.clear();
        }
        long allocated = engine.takeAllocatedBytes();
        long gcPause = engine.takeGcPauseNanos();
        if (config.metrics) {
            queue.offer(new Payload("/api/v1/ingest/metrics?" + identityQuery, JSON,
                    metrics(untilMillis, durationNanos, allocated, gcPause).getBytes(StandardCharsets.UTF_8), "metrics"));
        }
        intervalAgentCpu = 0;
        intervalProcessCpu = 0;
        intervalJavaAgentCpu = 0;
    }

    private String metrics(long at, long durationNanos, long allocatedBytes, long gcPauseNanos) {
        double seconds = durationNanos / 1e9;
        Map<String, Double> v = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        v.put("process_cpu_ratio", intervalProcessCpu / (durationNanos * (double) cores));
        long heap = heapAfterGc.lastBytes();
        if (!heapListening) heap = heapUsedAfterGc();
        if (heap >= 0) v.put("heap_used_after_gc_bytes", (double) heap);
        long heapMax = heapMax();
        if (heapMax > 0) v.put("heap_max_bytes", (double) heapMax);
        v.put("gc_pause_ns", (double) gcPauseNanos);
        if (config.alloc) v.put("alloc_rate_bytes_per_second", allocatedBytes / seconds);
        v.put("live_threads", (double) cpuClock.liveThreads());
        v.put("agent_cpu_ratio", intervalProcessCpu > 0 ? intervalAgentCpu / (double) intervalProcessCpu : Double.NaN);
        if (cpuClock.usesProc() && intervalProcessCpu > 0) {
            v.put("agent_java_threads_cpu_ratio", intervalJavaAgentCpu / (double) intervalProcessCpu);
        }
        v.put("agent_cpu_budget_ratio", config.cpuBudget);
        v.put("agent_sampling_scale", controller.scale());
        if (config.cpu || config.wall) v.put("cpu_sampling_period_ns", (double) cpuPeriodInForce());
        if (config.alloc) v.put("alloc_sampling_rate_per_second", (double) rates.allocRate());
        if (config.lock) v.put("lock_threshold_ns", (double) rates.lockThresholdNanos());
        v.put("agent_uploaded_bytes_total", (double) uploader.sentBytes());
        v.put("agent_upload_failures_total", (double) uploader.failed());
        v.put("agent_upload_dropped_total", (double) queue.dropped());
        v.put("agent_upload_queue_size", (double) queue.size());
        if (SpanRegistry.active()) {
            v.put("agent_span_history_bytes", (double) SpanRegistry.historyBytes());
            v.put("agent_span_lookups_unknown_total", (double) SpanRegistry.unknownLookups());
            v.put("agent_span_history_overruns_total", (double) SpanRegistry.overruns());
            v.put("agent_span_max_delay_ns", (double) SpanRegistry.maxDelayNanos());
        }
        return MetricsJson.point(at, v);
    }

    private static final class ExitHook implements Runnable {
        private final AgentRuntime rt;

        ExitHook(AgentRuntime rt) { this.rt = rt; }

        @Override
        public void run() { rt.onExit(); }
    }

    private static long heapMax() {
        try {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Without GC notifications only: sum of heap pools' collection usage (stale for G1's old generation). */
    private static long heapUsedAfterGc() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) continue;
            MemoryUsage u = pool.getCollectionUsage();
            if (u != null) sum += u.getUsed();
        }
        return sum;
    }

    static String identityQuery(AgentConfig c) {
        StringBuilder sb = new StringBuilder("service=").append(enc(c.service));
        if (!c.version.isEmpty()) sb.append("&version=").append(enc(c.version));
        if (!c.env.isEmpty()) sb.append("&env=").append(enc(c.env));
        if (!c.instance.isEmpty()) sb.append("&instance=").append(enc(c.instance));
        c.labels.forEach((k, val) -> sb.append('&').append(enc(k)).append('=').append(enc(val)));
        return sb.toString();
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }

    Map<String, Long> diagnostics() {
        Map<String, Long> d = new LinkedHashMap<>();
        d.put("queue_size", (long) queue.size());
        d.put("queue_bytes", queue.bytes());
        d.put("queue_capacity", (long) config.queueCapacity);
        d.put("queue_max_bytes", config.queueMaxBytes);
        d.put("dropped", queue.dropped());
        d.put("uploaded", uploader.sent());
        d.put("uploaded_bytes", uploader.sentBytes());
        d.put("upload_failures", uploader.failed());
        d.put("upload_retries", uploader.retries());
        d.put("intervals", intervals);
        d.put("stopped", stopped.get() ? 1L : 0L);
        d.put("span_history_bytes", SpanRegistry.historyBytes());
        d.put("span_lookups_unknown", SpanRegistry.unknownLookups());
        d.put("span_history_overruns", SpanRegistry.overruns());
        d.put("span_max_delay_ms", SpanRegistry.maxDelayNanos() / 1_000_000);
        return d;
    }
}
