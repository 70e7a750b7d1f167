package io.continuo.agent.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time of the process and of the agent's own threads. Agent threads are ours ("continuo-*")
 * plus the JFR threads visible to Java ("JFR ..."); JFR's native sampler and recorder threads are
 * invisible to ThreadMXBean, so the measured agent cost is a lower bound (documented).
 */
public final class CpuClock {
    private static final long RESCAN_NANOS = 30_000_000_000L;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final boolean threadCpu;
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
    }

    /** Process CPU time in ns, or -1 when the platform does not say. */
    public long processCpuNanos() {
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    /** Sum of CPU time of the agent's live threads, ns; -1 when unsupported. */
    public long agentCpuNanos() {
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
