package io.continuo.agent.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time of the process and of the agent's own threads: ours ("continuo-*") and JFR's ("JFR ...").
 * On Linux it comes from /proc ({@link ProcThreadCpu}), which sees JFR's native recorder and sampler
 * threads too; elsewhere, or when /proc fails, from ThreadMXBean, which sees only the Java-visible ones
 * (a lower bound). {@link #javaThreadsCpuNanos()} keeps the ThreadMXBean view for comparison.
 */
public final class CpuClock {
    private static final long RESCAN_NANOS = 30_000_000_000L;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final boolean threadCpu;
    private ProcThreadCpu proc;
    private int sourceChanges;
    private long[] agentThreadIds = new long[0];
    private long lastScan = Long.MIN_VALUE;

    public CpuClock() {
        boolean ok = false;
        try {
            ok = threads.isThreadCpuTimeSupported();
            if (ok && !threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
        } catch (Throwable ignored) {
            ok = false;
        }
        threadCpu = ok;
        proc = ProcThreadCpu.forThisProcess();
    }

    /** Where {@link #agentCpuNanos()} comes from: "proc/schedstat", "proc/stat", "ThreadMXBean" or "none". */
    public String source() {
        ProcThreadCpu p = proc;
        if (p != null) return "proc/" + p.source();
        return threadCpu ? "ThreadMXBean" : "none";
    }

    /** Process CPU time in ns, or -1 when the platform does not say. */
    public long processCpuNanos() {
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    /**
     * CPU time of the agent's threads, ns, for deltas between calls; -1 when unsupported. A failing /proc
     * read switches to ThreadMXBean for good (the one step across the switch reads as zero cost).
     */
    public long agentCpuNanos() {
        ProcThreadCpu p = proc;
        if (p != null) {
            long v = p.agentCpuNanos();
            if (v >= 0) return v;
            proc = null;
            sourceChanges++;
        }
        return javaThreadsCpuNanos();
    }

    /** Bumped when {@link #agentCpuNanos()} switches source: a delta across the switch means nothing. */
    public int sourceChanges() { return sourceChanges; }

    /** True when {@link #agentCpuNanos()} reads /proc, so the ThreadMXBean view is a separate number. */
    public boolean usesProc() { return proc != null; }

    /** Sum of CPU time of the agent's live Java threads per ThreadMXBean, ns; -1 when unsupported. */
    public long javaThreadsCpuNanos() {
        if (!threadCpu) return -1;
        long now = System.nanoTime();
        if (lastScan == Long.MIN_VALUE || now - lastScan > RESCAN_NANOS) {
            agentThreadIds = scanAgentThreads();
            lastScan = now;
        }
        long sum = 0;
        for (long id : agentThreadIds) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) sum += t;
        }
        return sum;
    }

    public int liveThreads() { return threads.getThreadCount(); }

    private static long[] scanAgentThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        long[] ids = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            String name = all[i].getName();
            if (name.startsWith("continuo-") || name.startsWith("JFR ")) ids[k++] = all[i].getId();
        }
        return Arrays.copyOf(ids, k);
    }
}
