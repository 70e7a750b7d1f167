package io.continuo.agent.otel;

import io.continuo.agent.pprof.Hex;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which span was active on which thread, and when. JFR samples threads asynchronously and delivers
 * them a second or more later, so "the current span" cannot be read at sampling time; instead every
 * span start/end appends a transition (time, innermost open span) to that thread's {@link SpanHistory},
 * and the JFR thread later looks up the last transition at or before each sample's timestamp.
 *
 * <p>Fed by {@link ContinuoSpanProcessor} through static methods taking only JDK types, because the
 * processor may live in another class loader (the OpenTelemetry agent's extension loader).
 *
 * <p>Memory is bounded in bytes, not entries: each thread's history may grow to {@link #THREAD_HISTORY_BYTES}
 * and all of them together to {@link #TOTAL_HISTORY_BYTES}. The JFR thread calls {@link #trim()} about once a
 * second, which drops what is older than the retention (at least {@link #MIN_RETENTION_NANOS}, and three times
 * the longest delivery delay it has seen, so JFR's lag cannot outrun it), shrinks idle threads' rings and
 * forgets threads that ended. At most {@link #MAX_THREADS} live threads and {@link #MAX_OPEN_SPANS} open spans.
 */
public final class SpanRegistry {
    static final int MAX_THREADS = 4096;
    static final int MAX_STACK = 32;
    static final int MAX_OPEN_SPANS = 100_000;
    /** One thread's history: 16 384 transitions, minutes of a busy request thread. */
    static final long THREAD_HISTORY_BYTES = 1L << 20;
    static final long TOTAL_HISTORY_BYTES = 32L << 20;
    static final long MIN_RETENTION_NANOS = 20_000_000_000L;
    /** A clock jump must not make the registry keep everything forever (the byte caps hold regardless). */
    static final long MAX_RETENTION_NANOS = 600_000_000_000L;
    public static final String OTHER_ENDPOINT = "other";

    private static final long BASE_EPOCH_NANOS;
    private static final long BASE_NANO_TIME;

    static {
        Instant now = Instant.now();
        BASE_NANO_TIME = System.nanoTime();
        BASE_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static final SpanHistory.Budget budget = new SpanHistory.Budget(TOTAL_HISTORY_BYTES);
    private static final ConcurrentHashMap<Long, Track> tracks = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, Open> openSpans = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, String> endpoints = new ConcurrentHashMap<>();
    private static final ReaderCache readerCache = new ReaderCache();
    private static volatile int maxEndpoints = 100;
    private static volatile boolean active;
    private static volatile long spansSeen;
    /** Entries older than this may be dropped; moved forward by {@link #trim()}. */
    private static volatile long horizon = Long.MIN_VALUE;
    // Reader-side statistics, written by the one JFR thread only.
    private static volatile long maxDelayNanos;
    private static volatile long unknownLookups;

    private SpanRegistry() {}

    private static volatile boolean installed;

    public static void setMaxEndpoints(int max) { maxEndpoints = max; }

    /** Set by the agent's premain; span processors stay away from a disabled agent. */
    public static void install() { installed = true; }

    public static boolean installed() { return installed; }

    /** True once any span was reported: lets the JFR thread skip lookups (and timestamps) otherwise. */
    public static boolean active() { return active; }

    public static long spansSeen() { return spansSeen; }

    /** Wall-clock nanoseconds on a monotonic base, comparable to JFR event timestamps. */
    public static long now() { return BASE_EPOCH_NANOS + (System.nanoTime() - BASE_NANO_TIME); }

    /**
     * Called on the thread that starts the span.
     *
     * @param parentSpanId the parent's id when the parent is a local span, else null (a local root)
     */
    public static void spanStarted(String traceId, String spanId, String parentSpanId, String name) {
        try {
            active = true;
            spansSeen++;
            long span = Hex.parse(spanId, 0, Math.min(16, spanId.length()));
            if (span == 0 || traceId.length() != 32) return;
            long traceHi = Hex.parse(traceId, 0, 16);
            long traceLo = Hex.parse(traceId, 16, 32);
            String endpoint;
            if (parentSpanId == null) {
                endpoint = endpoint(name);
            } else {
                Open parent = openSpans.get(Hex.parse(parentSpanId, 0, Math.min(16, parentSpanId.length())));
                endpoint = parent == null ? null : parent.endpoint;
            }
            Track t = trackOfCurrentThread();
            if (t == null || openSpans.size() >= MAX_OPEN_SPANS) return;
            openSpans.put(span, new Open(t, endpoint));
            synchronized (t) {
                t.push(span, traceHi, traceLo, endpoint);
                t.record(now());
            }
        } catch (RuntimeException ignored) {
            // Never fail the app's span start over bookkeeping.
        }
    }

    /** May be called on any thread: the span is removed from the thread it started on. */
    public static void spanEnded(String spanId) {
        try {
            long span = Hex.parse(spanId, 0, Math.min(16, spanId.length()));
            Open o = openSpans.remove(span);
            if (o == null) return;
            Track t = o.track;
            synchronized (t) {
                t.remove(span);
                t.record(now());
            }
        } catch (RuntimeException ignored) {
            // As above.
        }
    }

    private static String endpoint(String name) {
        if (name == null || name.isEmpty()) return null;
        String e = endpoints.get(name);
        if (e != null) return e;
        if (endpoints.size() >= maxEndpoints) return OTHER_ENDPOINT;
        String prev = endpoints.putIfAbsent(name, name);
        return prev == null ? name : prev;
    }

    /** Result holder reused by the single JFR thread; fields valid until the next lookup. */
    public static final class Hit {
        public long spanId;
        public long traceHi;
        public long traceLo;
        public String endpoint;
    }

    /**
     * Call on the JFR thread only. Also notes how late the sample arrived, which sets the retention.
     *
     * @return true and fills {@code out} when a span was active on the thread at {@code epochNanos}
     */
    public static boolean lookup(long threadId, long epochNanos, Hit out) {
        long delay = now() - epochNanos;
        if (delay > maxDelayNanos) maxDelayNanos = delay;
        Track t = readerCache.get(threadId);
        if (t == null) return false;
        int r;
        synchronized (t) {
            r = t.history.find(epochNanos, out);
        }
        if (r == SpanHistory.UNKNOWN) unknownLookups++;
        return r == SpanHistory.FOUND;
    }

    /**
     * Call on the JFR thread, about once a second: moves the horizon, trims every history to it and forgets
     * threads that ended and whose history is past it.
     */
    public static void trim() {
        long retention = Math.min(MAX_RETENTION_NANOS, Math.max(MIN_RETENTION_NANOS, 3 * maxDelayNanos));
        long h = now() - retention;
        horizon = h;
        boolean removed = false;
        for (Iterator<Track> it = tracks.values().iterator(); it.hasNext(); ) {
            Track t = it.next();
            synchronized (t) {
                t.history.trim(h);
                if (t.ended() && t.history.newest() < h) {
                    it.remove();
                    releasedOverruns += t.history.overruns();
                    t.history.release();
                    t.released = true;
                    removed = true;
                }
            }
        }
        if (removed) readerCache.clear();
    }

    /** Lookups whose sample predated the history kept for its thread (the label may be missing). */
    public static long unknownLookups() { return unknownLookups; }

    /** Transitions dropped before the horizon because a byte budget was spent. */
    public static long overruns() {
        long n = 0;
        for (Track t : tracks.values()) {
            synchronized (t) {
                n += t.history.overruns();
            }
        }
        return n + releasedOverruns;
    }

    private static volatile long releasedOverruns;

    /** Bytes the histories hold now. */
    public static long historyBytes() { return budget.used(); }

    /** The longest delay between a sample's time and its lookup seen so far, ns. */
    public static long maxDelayNanos() { return maxDelayNanos; }

    private static final ThreadLocal<Track> CURRENT = new ThreadLocal<>();

    private static Track trackOfCurrentThread() {
        Track t = CURRENT.get();
        if (t != null && !t.released) return t;
        Thread th = Thread.currentThread();
        long id = th.getId();
        t = tracks.get(id);
        if (t == null) {
            if (tracks.size() >= MAX_THREADS) return null;
            Track fresh = new Track(th);
            t = tracks.putIfAbsent(id, fresh);
            if (t == null) t = fresh;
        }
        CURRENT.set(t);
        return t;
    }

    private static final class Open {
        final Track track;
        final String endpoint;

        Open(Track track, String endpoint) {
            this.track = track;
            this.endpoint = endpoint;
        }
    }

    /** One thread's open-span stack and its history. Guarded by its own monitor. */
    private static final class Track {
        final long threadId;
        final WeakReference<Thread> thread;
        // Open spans, innermost last.
        final long[] openSpan = new long[MAX_STACK];
        final long[] openTraceHi = new long[MAX_STACK];
        final long[] openTraceLo = new long[MAX_STACK];
        final String[] openEndpoint = new String[MAX_STACK];
        int depth;
        int overflow;
        final SpanHistory history = new SpanHistory(budget, THREAD_HISTORY_BYTES);
        /** Set when trimmed away; a writer that still holds it (never: the thread ended) takes a new one. */
        volatile boolean released;

        Track(Thread t) {
            this.threadId = t.getId();
            this.thread = new WeakReference<>(t);
        }

        boolean ended() {
            Thread t = thread.get();
            return t == null || !t.isAlive();
        }

        void push(long s, long hi, long lo, String ep) {
            if (depth == MAX_STACK) {
                overflow++;
                return;
            }
            openSpan[depth] = s;
            openTraceHi[depth] = hi;
            openTraceLo[depth] = lo;
            openEndpoint[depth] = ep;
            depth++;
        }

        void remove(long s) {
            for (int i = depth - 1; i >= 0; i--) {
                if (openSpan[i] == s) {
                    System.arraycopy(openSpan, i + 1, openSpan, i, depth - i - 1);
                    System.arraycopy(openTraceHi, i + 1, openTraceHi, i, depth - i - 1);
                    System.arraycopy(openTraceLo, i + 1, openTraceLo, i, depth - i - 1);
                    System.arraycopy(openEndpoint, i + 1, openEndpoint, i, depth - i - 1);
                    depth--;
                    openEndpoint[depth] = null;
                    return;
                }
            }
            if (overflow > 0) overflow--;
        }

        void record(long at) {
            if (released) return;
            // `at` is read inside the monitor, so a thread's entries are in time order.
            if (depth == 0) {
                history.record(at, 0, 0, 0, null, horizon);
            } else {
                int top = depth - 1;
                history.record(at, openSpan[top], openTraceHi[top], openTraceLo[top], openEndpoint[top], horizon);
            }
        }
    }

    /**
     * The JFR thread's own thread-id → track table (open addressing on primitive keys), so a lookup per sample
     * neither boxes a key nor touches the shared map after the first sample of a thread. Cleared when tracks are
     * forgotten. Single reader: not thread-safe.
     */
    private static final class ReaderCache {
        private static final int SIZE = 8192;
        private final long[] keys = new long[SIZE];
        private final Track[] values = new Track[SIZE];
        private int used;

        Track get(long threadId) {
            int mask = SIZE - 1;
            int i = (int) (threadId * 0x9E3779B97F4A7C15L >>> 40) & mask;
            for (int probes = 0; probes < SIZE; probes++) {
                Track t = values[i];
                if (t == null) break;
                if (keys[i] == threadId) return t;
                i = (i + 1) & mask;
            }
            Track t = tracks.get(threadId);
            if (t == null) return null;
            if (used * 2 >= SIZE) clear();
            i = (int) (threadId * 0x9E3779B97F4A7C15L >>> 40) & mask;
            while (values[i] != null) i = (i + 1) & mask;
            keys[i] = threadId;
            values[i] = t;
            used++;
            return t;
        }

        void clear() {
            Arrays.fill(values, null);
            used = 0;
        }
    }
}
