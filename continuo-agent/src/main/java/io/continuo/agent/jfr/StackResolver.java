package io.continuo.agent.jfr;

import io.continuo.agent.pprof.ProfileBuilder;
import java.util.IdentityHashMap;
import java.util.List;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;

/**
 * Turns JFR stack traces into a {@link ProfileBuilder}'s locations. The JFR parser hands out one
 * object per stack trace, method and thread per chunk, so identity caches make a repeated stack cost
 * one hash lookup and no allocation. Caches are dropped with the builder at every interval, which
 * also bounds what they keep alive.
 */
final class StackResolver {
    static final String TRUNCATED = "[truncated]";
    private static final int MAX_CACHED = 16_384;

    private final ProfileBuilder builder;
    private final int maxDepth;
    private final IdentityHashMap<RecordedStackTrace, int[]> stacks = new IdentityHashMap<>();
    private final IdentityHashMap<RecordedMethod, Integer> functions = new IdentityHashMap<>();
    private final IdentityHashMap<RecordedThread, Integer> threads = new IdentityHashMap<>();
    private final IdentityHashMap<RecordedClass, Integer> classFrames = new IdentityHashMap<>();
    private static final int[] EMPTY = new int[0];

    StackResolver(ProfileBuilder builder, int maxDepth) {
        this.builder = builder;
        this.maxDepth = maxDepth;
    }

    ProfileBuilder builder() { return builder; }

    void clear() {
        builder.clear();
        stacks.clear();
        functions.clear();
        threads.clear();
        classFrames.clear();
    }

    /** Builds the stack, optionally with a synthetic leaf (e.g. the allocated class), and returns its id. */
    int stack(RecordedStackTrace trace, RecordedClass leafClass) {
        int[] locations = trace == null ? EMPTY : locations(trace);
        builder.beginStack();
        if (leafClass != null) builder.pushFrame(classLocation(leafClass));
        for (int l : locations) builder.pushFrame(l);
        return builder.endStack();
    }

    int threadName(RecordedThread t) {
        if (t == null) return builder.intern("unknown");
        Integer id = threads.get(t);
        if (id == null) {
            String name = t.getJavaName();
            if (name == null) name = t.getOSName();
            id = builder.intern(name == null ? "unknown" : name);
            if (threads.size() < MAX_CACHED) threads.put(t, id);
        }
        return id;
    }

    private int[] locations(RecordedStackTrace trace) {
        int[] cached = stacks.get(trace);
        if (cached != null) return cached;
        List<RecordedFrame> frames = trace.getFrames();
        int n = Math.min(frames.size(), maxDepth);
        boolean truncated = trace.isTruncated() || frames.size() > maxDepth;
        int[] out = new int[n + (truncated ? 1 : 0)];
        for (int i = 0; i < n; i++) {
            RecordedFrame f = frames.get(i);
            int line = Math.max(0, f.getLineNumber());
            out[i] = builder.location(function(f.getMethod()), line);
        }
        if (truncated) {
            int name = builder.intern(TRUNCATED);
            out[n] = builder.location(builder.function(name, name), 0);
        }
        if (stacks.size() < MAX_CACHED) stacks.put(trace, out);
        return out;
    }

    private int function(RecordedMethod m) {
        if (m == null) {
            int name = builder.intern("[unknown]");
            return builder.function(name, name);
        }
        Integer id = functions.get(m);
        if (id == null) {
            RecordedClass type = m.getType();
            String className = type == null ? null : type.getName();
            int name = builder.intern(functionName(className, m.getName()));
            id = builder.function(name, builder.intern(fileName(className)));
            if (functions.size() < MAX_CACHED) functions.put(m, id);
        }
        return id;
    }

    /**
     * {@code package.Class.method}; a frame without a class (a JIT or VM stub such as {@code libmLog}, a native
     * symbol in async-profiler's recordings) keeps its own name instead of {@code [unknown].libmLog}. The same
     * rule as continuo-formats' JfrReader (testdata/agent-rules.tsv pins both).
     */
    static String functionName(String className, String method) {
        String m = method == null || method.isEmpty() ? "[unknown]" : method;
        if (className == null || className.isEmpty()) return m;
        return ClassNames.stable(className) + "." + m;
    }

    /** The class as the file name (JFR records no source files); {@code [native]} for frames without a class. */
    static String fileName(String className) {
        return className == null || className.isEmpty() ? "[native]" : ClassNames.stable(className);
    }

    private int classLocation(RecordedClass c) {
        Integer loc = classFrames.get(c);
        if (loc == null) {
            int name = builder.intern(ClassNames.readable(c.getName()));
            loc = builder.location(builder.function(name, name), 0);
            if (classFrames.size() < MAX_CACHED) classFrames.put(c, loc);
        }
        return loc;
    }
}
