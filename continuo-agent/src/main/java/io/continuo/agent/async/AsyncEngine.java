package io.continuo.agent.async;

import io.continuo.agent.Log;
import io.continuo.agent.pprof.ProfileBuilder;
import java.util.HashMap;
import java.util.Map;

/**
 * The opt-in CPU engine ({@code engine=async}): async-profiler samples every thread on CPU (Java, JVM
 * and native threads; Java, native and kernel frames) and this class folds its samples into the CPU
 * family's {@link ProfileBuilder}, the same one the JFR engine would fill, so aggregation, encoding and
 * upload do not change. Loaded only when {@code engine=async}: nothing in the default JFR path names it.
 *
 * <p>How samples travel: async-profiler keeps counts per (thread, stack) since its last {@code start}.
 * {@link #drain} stops it, dumps those counts ({@code collapsed}), starts it again at once (a gap of a few
 * ms) and adds count × period to the builder. Every drain covers one run at one interval, so values stay
 * exact when the adaptive controller changes the period: a new period takes effect by such a restart.
 * Samples carry the {@code thread} label but no span labels (collapsed output has no timestamps).
 *
 * <p>Event: {@code cpu} (perf_events, per-thread CPU time); where that cannot start (perf_events not
 * allowed and no fallback inside async-profiler), {@code itimer} (process CPU-time timer, setitimer).
 * Both sample CPU time, so one sample stands for one interval of CPU.
 *
 * <p>Failure handling: {@link #start} and {@link #drain} never throw. When async-profiler cannot be loaded
 * or started, or fails later, exactly one line is logged and the caller falls back to JFR. Runs on the
 * agent's stream thread; {@link #close()} may come from another (shutdown), hence the locking.
 */
public final class AsyncEngine {
    /** A period change alone restarts the profiler at most this often (interval ends restart it anyway). */
    static final long MIN_RESTART_GAP_NANOS = 5_000_000_000L;
    static final String TRUNCATED = "[truncated]";
    private static final String OPTIONS = ",threads,loglevel=none,quiet";

    private final AsyncLibrary lib;
    private final int maxDepth;
    private String event;
    private long periodNanos;
    private long startedAtNanos;
    private boolean running;
    private boolean closed;
    private long samplesTotal;
    private long restarts;
    private long lastRestartNanos;

    private AsyncEngine(AsyncLibrary lib, int maxDepth) {
        this.lib = lib;
        this.maxDepth = maxDepth;
    }

    /**
     * Loads async-profiler ({@code libPath}, or the bundled library when empty) and starts CPU sampling at
     * {@code periodNanos}. Null, after one log line saying why, when that is not possible.
     */
    public static AsyncEngine start(String libPath, long periodNanos, int maxDepth) {
        try {
            AsyncEngine e = new AsyncEngine(AsyncLibrary.load(libPath), maxDepth);
            e.begin(periodNanos);
            return e;
        } catch (AsyncLibrary.Unavailable u) {
            Log.warn("async-profiler unavailable, CPU samples from JFR: " + u.getMessage());
        } catch (Throwable t) {
            Log.warn("async-profiler unavailable, CPU samples from JFR: " + AsyncLibrary.oneLine(t));
        }
        return null;
    }

    private void begin(long period) throws AsyncLibrary.Unavailable {
        try {
            startWith("cpu", period);
        } catch (AsyncLibrary.Unavailable cpuFailed) {
            try {
                startWith("itimer", period);
            } catch (AsyncLibrary.Unavailable itimerFailed) {
                throw new AsyncLibrary.Unavailable(lib.source + ": event=cpu: " + cpuFailed.getMessage()
                        + "; event=itimer: " + itimerFailed.getMessage());
            }
        }
    }

    private void startWith(String ev, long period) throws AsyncLibrary.Unavailable {
        lib.execute("start,event=" + ev + ",interval=" + period + ",jstackdepth=" + (maxDepth + 1) + OPTIONS);
        event = ev;
        periodNanos = period;
        startedAtNanos = System.nanoTime();
        running = true;
    }

    /** For the log and the profile's comment: {@code async-profiler 4.1 event=cpu}. */
    public synchronized String description() { return "async-profiler " + lib.version + " event=" + event; }

    public synchronized String source() { return lib.source; }

    /** The sampling period of the run in progress, ns. */
    public synchronized long periodNanos() { return periodNanos; }

    public synchronized long samplesTotal() { return samplesTotal; }

    public synchronized long restarts() { return restarts; }

    /** Wall time of the last drain's stop, dump and start, ns (the gap in sampling). */
    public synchronized long lastRestartNanos() { return lastRestartNanos; }

    /** True when the controller's period differs from the running one and the last restart is old enough. */
    public synchronized boolean wantsPeriod(long wantedPeriodNanos, long nowNanos) {
        return running && !closed && wantedPeriodNanos != periodNanos && nowNanos - startedAtNanos >= MIN_RESTART_GAP_NANOS;
    }

    /**
     * Adds the samples taken since the last (re)start to {@code builder} and, when {@code nextPeriodNanos}
     * is positive, starts again at that period. False when async-profiler failed: then one line has been
     * logged, the engine is closed and the caller should let JFR take CPU samples.
     */
    public boolean drain(ProfileBuilder builder, long nextPeriodNanos) {
        String text;
        long period;
        synchronized (this) {
            if (!running || closed) return !closed;
            long t0 = System.nanoTime();
            try {
                period = periodNanos;
                lib.execute("stop,loglevel=none");
                running = false;
                text = lib.execute("collapsed,ann,loglevel=none");
                if (nextPeriodNanos > 0) {
                    startWith(event, nextPeriodNanos);
                    restarts++;
                }
            } catch (AsyncLibrary.Unavailable | RuntimeException e) {
                failed(e instanceof AsyncLibrary.Unavailable ? e.getMessage() : AsyncLibrary.oneLine(e));
                return false;
            } finally {
                lastRestartNanos = System.nanoTime() - t0;
            }
        }
        long samples = add(text, builder, period, maxDepth);
        synchronized (this) {
            samplesTotal += samples;
        }
        return true;
    }

    private void failed(String why) {
        Log.warn("async-profiler failed, CPU samples from JFR from now on: " + why);
        closeQuietly();
    }

    /** Stops sampling for good; idempotent, any thread. */
    public synchronized void close() { closeQuietly(); }

    private void closeQuietly() {
        closed = true;
        if (!running) return;
        running = false;
        try {
            lib.execute("stop,loglevel=none");
        } catch (Throwable ignored) {
            // Closing anyway.
        }
    }

    /**
     * Folds collapsed stacks into {@code b}: frames leaf first, the leaf-most {@code maxDepth} kept with a
     * {@code [truncated]} frame where frames were cut; value = count × period. Returns the sample count.
     * Java frames are {@code package.Class.method} with the class as file name (as the JFR engine writes
     * them); native frames keep their symbol with file name {@code [native]}; kernel frames keep their
     * {@code _[k]} mark, file name {@code [kernel]}.
     */
    static long add(String collapsed, ProfileBuilder b, long period, int maxDepth) {
        Map<String, Integer> locations = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        long[] samples = new long[1];
        CollapsedStacks.parse(collapsed, (thread, frames, count) -> {
            b.beginStack();
            int n = frames.size();
            int keep = Math.min(n, maxDepth);
            for (int i = n - 1; i >= n - keep; i--) b.pushFrame(location(b, locations, frames.get(i)));
            if (n > keep) b.pushFrame(location(b, locations, TRUNCATED));
            int stack = b.endStack();
            String name = thread == null ? "unknown" : thread;
            Integer t = threads.get(name);
            if (t == null) {
                t = b.intern(name);
                threads.put(name, t);
            }
            b.addSample(stack, t, 0, count * period);
            samples[0] += count;
        });
        return samples[0];
    }

    private static int location(ProfileBuilder b, Map<String, Integer> cache, String frame) {
        Integer loc = cache.get(frame);
        if (loc != null) return loc;
        int fn;
        if (TRUNCATED.equals(frame)) {
            int name = b.intern(TRUNCATED);
            fn = b.function(name, name);
        } else {
            CollapsedStacks.Kind kind = CollapsedStacks.kind(frame);
            String name = CollapsedStacks.functionName(frame, kind);
            String file;
            switch (kind) {
                case JAVA: file = CollapsedStacks.className(name); break;
                case KERNEL: file = "[kernel]"; break;
                default: file = "[native]"; break;
            }
            fn = b.function(b.intern(name), b.intern(file));
        }
        loc = b.location(fn, 0);
        cache.put(frame, loc);
        return loc;
    }
}
