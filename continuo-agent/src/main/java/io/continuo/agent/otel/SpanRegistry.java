package io.continuo.agent.otel;

import io.continuo.agent.pprof.Hex;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which span was active on which thread, and when. JFR samples threads asynchronously and delivers
 * them about a second later, so "the current span" cannot be read at sampling time; instead every
 * span start/end appends a transition (time, thread, span) to that thread's ring, and the JFR thread
 * later looks up the last transition at or before each sample's timestamp.
 *
 * <p>Fed by {@link ContinuoSpanProcessor} through static methods taking only JDK types, because the
 * processor may live in another class loader (the OpenTelemetry agent's extension loader).
 * Memory is bounded: a fixed number of tracked threads, a fixed ring per thread, a capped map of open spans.
 */
public final class SpanRegistry {
    static final int MAX_THREADS = 4096;
    static final int RING = 64;
    static final int MAX_STACK = 32;
    static final int MAX_OPEN_SPANS = 100_000;
    public static final String OTHER_ENDPOINT = "other";

    private static final long BASE_EPOCH_NANOS;
    private static final long BASE_NANO_TIME;

    static {
        Instant now = Instant.now();
        BASE_NANO_TIME = System.nanoTime();
        BASE_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static final Track[] tracks = new Track[MAX_THREADS * 2];
    private static final ConcurrentHashMap<Long, Open> openSpans = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, String> endpoints = new ConcurrentHashMap<>();
    private static volatile int maxEndpoints = 100;
    private static volatile boolean active;
    private static volatile long spansSeen;

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
    static long now() { return BASE_EPOCH_NANOS + (System.nanoTime() - BASE_NANO_TIME); }

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
            Track t = track(Thread.currentThread().getId(), true);
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
            Open o = openSpans.remove(Hex.parse(spanId, 0, Math.min(16, spanId.length())));
            if (o == null) return;
            Track t = o.track;
            synchronized (t) {
                t.remove(Hex.parse(spanId, 0, Math.min(16, spanId.length())));
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

    /** @return true and fills {@code out} when a span was active on the thread at {@code epochNanos} */
    public static boolean lookup(long threadId, long epochNanos, Hit out) {
        Track t = track(threadId, false);
        if (t == null) return false;
        synchronized (t) {
            return t.find(epochNanos, out);
        }
    }

    private static Track track(long threadId, boolean create) {
        int mask = tracks.length - 1;
        int i = (int) (threadId * 0x9E3779B97F4A7C15L >>> 40) & mask;
        for (int probes = 0; probes < tracks.length; probes++) {
            Track t = tracks[i];
            if (t == null) {
                if (!create) return null;
                synchronized (tracks) {
                    if (tracks[i] == null) {
                        if (trackCount >= MAX_THREADS) return null;
                        trackCount++;
                        tracks[i] = new Track(threadId);
                        return tracks[i];
                    }
                    t = tracks[i];
                }
            }
            if (t.threadId == threadId) return t;
            i = (i + 1) & mask;
        }
        return null;
    }

    private static int trackCount;

    private static final class Open {
        final Track track;
        final String endpoint;

        Open(Track track, String endpoint) {
            this.track = track;
            this.endpoint = endpoint;
        }
    }

    /** One thread's open-span stack and its recent transitions. Guarded by its own monitor. */
    private static final class Track {
        final long threadId;
        // Open spans, innermost last.
        final long[] openSpan = new long[MAX_STACK];
        final long[] openTraceHi = new long[MAX_STACK];
        final long[] openTraceLo = new long[MAX_STACK];
        final String[] openEndpoint = new String[MAX_STACK];
        int depth;
        int overflow;
        // Ring of transitions: at time[i] the innermost open span became span[i] (0 = none).
        final long[] time = new long[RING];
        final long[] span = new long[RING];
        final long[] traceHi = new long[RING];
        final long[] traceLo = new long[RING];
        final String[] endpoint = new String[RING];
        int next;
        int count;

        Track(long threadId) { this.threadId = threadId; }

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
            int i = next;
            time[i] = at;
            if (depth == 0) {
                span[i] = 0;
                endpoint[i] = null;
            } else {
                span[i] = openSpan[depth - 1];
                traceHi[i] = openTraceHi[depth - 1];
                traceLo[i] = openTraceLo[depth - 1];
                endpoint[i] = openEndpoint[depth - 1];
            }
            next = (i + 1) % RING;
            if (count < RING) count++;
        }

        boolean find(long at, Hit out) {
            for (int k = 1; k <= count; k++) {
                int i = (next - k + RING) % RING;
                if (time[i] <= at) {
                    if (span[i] == 0) return false;
                    out.spanId = span[i];
                    out.traceHi = traceHi[i];
                    out.traceLo = traceLo[i];
                    out.endpoint = endpoint[i];
                    return true;
                }
            }
            return false;
        }
    }
}
