package io.continuo.agent.jfr;

import io.continuo.agent.config.AgentConfig;
import io.continuo.agent.control.SamplingRates;
import io.continuo.agent.otel.SpanRegistry;
import io.continuo.agent.pprof.ProfileBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Runs an in-process JFR {@link RecordingStream} on the calling thread and folds events into one
 * {@link Family} per profile type. The stream starts from an empty configuration and only the
 * profiling events below are enabled: nothing that describes the environment (variables, system
 * properties, processes) is ever recorded. Handlers are registered per event name, so events that
 * another recording in the same JVM enables never reach us.
 */
public final class JfrEngine {
    static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    static final String NATIVE_METHOD_SAMPLE = "jdk.NativeMethodSample";
    static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
    static final String MONITOR_ENTER = "jdk.JavaMonitorEnter";
    static final String THREAD_PARK = "jdk.ThreadPark";
    static final String EXCEPTION_THROW = "jdk.JavaExceptionThrow";
    static final String GARBAGE_COLLECTION = "jdk.GarbageCollection";
    static final String OLD_OBJECT_SAMPLE = "jdk.OldObjectSample";
    /** Leak sites are written at most this often (each write starts and stops a short recording). */
    static final long MIN_LEAK_SITES_PERIOD_MILLIS = 30_000;
    static final long MIN_LEAK_SITE_AGE_NANOS = 10_000_000_000L;

    /** Every event this engine may enable; a test asserts nothing else is ever switched on. */
    public static final List<String> ALLOWED_EVENTS = List.of(EXECUTION_SAMPLE, NATIVE_METHOD_SAMPLE,
            ALLOCATION_SAMPLE, MONITOR_ENTER, THREAD_PARK, EXCEPTION_THROW, GARBAGE_COLLECTION, OLD_OBJECT_SAMPLE);

    static final int JFR_DEFAULT_STACK_DEPTH = 64;

    /** Rough mean object size used to turn sampled allocation weight (bytes) into an object count. */
    private static final long ESTIMATED_OBJECT_BYTES = 32;

    private final AgentConfig config;
    private final SamplingRates rates;
    private final Consumer<Throwable> onFailure;
    private final Runnable onFlush;
    private final List<String> enabledEvents = new ArrayList<>();
    public final Family cpu;
    public final Family wall;
    public final Family alloc;
    public final Family lock;
    public final Family exceptions;
    /** Live sampled objects by allocation site (inuse_objects); null unless {@code leaks}. */
    public final Family leaks;
    private final OldObjectEmitter leakSites;
    private final SpanRegistry.Hit hit = new SpanRegistry.Hit();
    private long gcPauseNanos;
    private long allocatedBytes;
    private volatile RecordingStream stream;
    private volatile boolean closed;
    private long appliedPeriod = -1;
    private long appliedAllocRate = -1;
    private long appliedLockThreshold = -1;
    /** False while async-profiler owns the CPU profile: jdk.ExecutionSample then serves only the wall profile. */
    private volatile boolean jfrCpu = true;
    private volatile int stackDepth = -1;

    public JfrEngine(AgentConfig config, SamplingRates rates, Runnable onFlush, Consumer<Throwable> onFailure) {
        this.config = config;
        this.rates = rates;
        this.onFlush = onFlush;
        this.onFailure = onFailure;
        int depth = config.maxStackDepth;
        cpu = config.cpu ? new Family("cpu", new String[] {"cpu"}, new String[] {"nanoseconds"}, "cpu", "nanoseconds", depth) : null;
        wall = config.wall ? new Family("wall", new String[] {"wall"}, new String[] {"nanoseconds"}, "wall", "nanoseconds", depth) : null;
        alloc = config.alloc ? new Family("alloc", new String[] {"alloc_objects", "alloc_space"},
                new String[] {"count", "bytes"}, "space", "bytes", depth) : null;
        lock = config.lock ? new Family("lock", new String[] {"contentions", "delay"},
                new String[] {"count", "nanoseconds"}, "contentions", "count", depth) : null;
        exceptions = config.exceptions ? new Family("exceptions", new String[] {"exceptions"}, new String[] {"count"},
                "exceptions", "count", depth) : null;
        leaks = config.leaks ? new Family("leaks", new String[] {"inuse_objects"}, new String[] {"count"},
                "objects", "count", depth) : null;
        leakSites = config.leaks
                ? new OldObjectEmitter(Math.max(MIN_LEAK_SITES_PERIOD_MILLIS, config.uploadInterval.toMillis())) : null;
    }

    public List<Family> families() {
        List<Family> out = new ArrayList<>();
        for (Family f : new Family[] {cpu, wall, alloc, lock, exceptions, leaks}) {
            if (f != null) out.add(f);
        }
        return out;
    }

    /** JFR's stack depth in force once {@link #run()} started, -1 when unknown (then JFR's default of 64 applies). */
    public int stackDepth() { return stackDepth; }

    /** Names of the events actually enabled, for tests and the debug log. */
    public List<String> enabledEvents() { return Collections.unmodifiableList(enabledEvents); }

    /** Before {@link #run()}: CPU samples come from async-profiler, so JFR's execution sampler stays off for CPU. */
    public void cpuFromAsync() { jfrCpu = false; }

    /**
     * async-profiler failed while running: JFR takes the CPU profile over from now on. Call on the stream
     * thread (from the flush callback); switches the execution sampler on in the running recording.
     */
    public void cpuFromJfr() {
        if (jfrCpu) return;
        jfrCpu = true;
        RecordingStream rs = stream;
        if (rs == null || cpu == null) return;
        enable(rs, EXECUTION_SAMPLE);
        appliedPeriod = -1;
        applyRates();
    }

    private boolean executionSamples() { return (cpu != null && jfrCpu) || wall != null; }

    /** Blocks the calling thread until {@link #close()}; handlers and {@code onFlush} run on it. */
    public void run() {
        // Before the recording exists: JFR sizes its stack buffers when sampling starts.
        stackDepth = config.maxStackDepth > JFR_DEFAULT_STACK_DEPTH ? JfrStackDepth.atLeast(config.maxStackDepth) : -1;
        RecordingStream rs = new RecordingStream();
        stream = rs;
        if (closed) {
            rs.close();
            return;
        }
        // Bound the on-disk repository JFR keeps for the stream.
        rs.setMaxAge(Duration.ofSeconds(30));
        rs.setMaxSize(32L << 20);
        rs.setReuse(true);
        rs.setOrdered(false);
        if (cpu != null || wall != null) {
            if (executionSamples()) enable(rs, EXECUTION_SAMPLE);
            rs.onEvent(EXECUTION_SAMPLE, guard(this::onExecutionSample));
        }
        if (wall != null) {
            enable(rs, NATIVE_METHOD_SAMPLE);
            rs.enable(NATIVE_METHOD_SAMPLE).withPeriod(config.wallInterval);
            rs.onEvent(NATIVE_METHOD_SAMPLE, guard(this::onNativeSample));
        }
        if (alloc != null) {
            enable(rs, ALLOCATION_SAMPLE).withStackTrace();
            rs.onEvent(ALLOCATION_SAMPLE, guard(this::onAllocation));
        }
        if (lock != null) {
            enable(rs, MONITOR_ENTER).withStackTrace();
            enable(rs, THREAD_PARK).withStackTrace();
            rs.onEvent(MONITOR_ENTER, guard(this::onLock));
            rs.onEvent(THREAD_PARK, guard(this::onPark));
        }
        if (exceptions != null) {
            enable(rs, EXCEPTION_THROW).withStackTrace();
            rs.onEvent(EXCEPTION_THROW, guard(this::onException));
        }
        if (leaks != null) {
            // cutoff 0: no search for paths to GC roots (that search stops the world); the allocation site is the evidence.
            enable(rs, OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "0 ns");
            rs.onEvent(OLD_OBJECT_SAMPLE, guard(this::onOldObject));
            leakSites.start();
        }
        if (config.metrics) {
            enable(rs, GARBAGE_COLLECTION).withoutStackTrace().withThreshold(Duration.ZERO);
            rs.onEvent(GARBAGE_COLLECTION, guard(e -> gcPauseNanos += e.getDuration("sumOfPauses").toNanos()));
        }
        applyRates();
        rs.onFlush(() -> {
            try {
                onFlush.run();
            } catch (Throwable t) {
                onFailure.accept(t);
            }
        });
        rs.start();
    }

    private jdk.jfr.EventSettings enable(RecordingStream rs, String name) {
        if (!ALLOWED_EVENTS.contains(name)) throw new IllegalStateException("not a profiling event: " + name);
        if (!enabledEvents.contains(name)) enabledEvents.add(name);
        return rs.enable(name);
    }

    /** Pushes changed rates into the running recording; call on the stream thread. */
    public void applyRates() {
        RecordingStream rs = stream;
        if (rs == null) return;
        if (executionSamples() && rates.cpuPeriod() != appliedPeriod) {
            appliedPeriod = rates.cpuPeriod();
            rs.enable(EXECUTION_SAMPLE).withPeriod(Duration.ofNanos(appliedPeriod));
        }
        if (alloc != null && rates.allocRate() != appliedAllocRate) {
            appliedAllocRate = rates.allocRate();
            rs.enable(ALLOCATION_SAMPLE).with("throttle", appliedAllocRate + "/s");
        }
        if (lock != null && rates.lockThresholdNanos() != appliedLockThreshold) {
            appliedLockThreshold = rates.lockThresholdNanos();
            Duration t = Duration.ofNanos(appliedLockThreshold);
            rs.enable(MONITOR_ENTER).withThreshold(t);
            rs.enable(THREAD_PARK).withThreshold(t);
        }
    }

    /** Idempotent; safe from any thread. */
    public void close() {
        closed = true;
        if (leakSites != null) leakSites.close();
        RecordingStream rs = stream;
        if (rs != null) {
            try {
                rs.close();
            } catch (Throwable ignored) {
                // Closing during JVM shutdown can race JFR's own hook; nothing to do about it.
            }
        }
    }

    public long takeGcPauseNanos() {
        long v = gcPauseNanos;
        gcPauseNanos = 0;
        return v;
    }

    public long takeAllocatedBytes() {
        long v = allocatedBytes;
        allocatedBytes = 0;
        return v;
    }

    private Consumer<RecordedEvent> guard(Consumer<RecordedEvent> handler) {
        return e -> {
            if (closed) return;
            try {
                handler.accept(e);
            } catch (Throwable t) {
                onFailure.accept(t);
            }
        };
    }

    private void onExecutionSample(RecordedEvent e) {
        RecordedThread thread = e.getThread("sampledThread");
        long at = epochNanos(e.getStartTime());
        long period = rates.cpuPeriodAt(at);
        if (cpu != null && jfrCpu) record(cpu, e, thread, null, at, period, 0, false);
        if (wall != null) record(wall, e, thread, null, at, period, 0, false);
    }

    private void onNativeSample(RecordedEvent e) {
        RecordedThread thread = e.getThread("sampledThread");
        record(wall, e, thread, null, epochNanos(e.getStartTime()), config.wallInterval.toNanos(), 0, false);
    }

    private void onAllocation(RecordedEvent e) {
        long weight = e.getLong("weight");
        allocatedBytes += weight;
        long objects = Math.max(1, weight / ESTIMATED_OBJECT_BYTES);
        record(alloc, e, e.getThread(), e.getClass("objectClass"), timeIfSpans(e), objects, weight, true);
    }

    private void onLock(RecordedEvent e) {
        record(lock, e, e.getThread(), null, timeIfSpans(e), 1, e.getDuration().toNanos(), true);
    }

    private void onPark(RecordedEvent e) {
        RecordedClass blocker = e.getClass("parkedClass");
        if (ParkBlockers.isLock(blocker == null ? null : blocker.getName())) {
            onLock(e);
        }
    }

    /**
     * One live sampled object: counts 1 for its allocation site, the object's class as leaf. Objects younger than
     * {@link #MIN_LEAK_SITE_AGE_NANOS} are left out: the sampler still holds recent garbage that the next young
     * collection will free, and it would dilute the sites of what is really kept.
     */
    private void onOldObject(RecordedEvent e) {
        Duration age = e.hasField("objectAge") ? e.getDuration("objectAge") : null;
        if (age != null && age.toNanos() < MIN_LEAK_SITE_AGE_NANOS) return;
        RecordedObject object = e.getValue("object");
        RecordedClass type = object == null ? null : object.getClass("type");
        record(leaks, e, e.getThread(), type, 0, 1, 0, false);
    }

    private void onException(RecordedEvent e) {
        record(exceptions, e, e.getThread(), e.getClass("thrownClass"), timeIfSpans(e), 1, 0, false);
    }

    private static long timeIfSpans(RecordedEvent e) {
        return SpanRegistry.active() ? epochNanos(e.getStartTime()) : 0;
    }

    private void record(Family f, RecordedEvent e, RecordedThread thread, RecordedClass leaf, long at,
                        long v0, long v1, boolean twoValues) {
        StackResolver r = f.resolver;
        ProfileBuilder b = r.builder();
        int stack = r.stack(e.getStackTrace(), leaf);
        int threadName = r.threadName(thread);
        int span = 0;
        if (thread != null && at != 0 && SpanRegistry.active()
                && SpanRegistry.lookup(thread.getJavaThreadId(), at, hit)) {
            span = b.span(hit.spanId, hit.traceHi, hit.traceLo, hit.endpoint);
        }
        if (twoValues) {
            b.addSample(stack, threadName, span, v0, v1);
        } else {
            b.addSample(stack, threadName, span, v0);
        }
    }

    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
