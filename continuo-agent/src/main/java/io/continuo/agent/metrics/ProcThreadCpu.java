package io.continuo.agent.metrics;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of the agent's threads as Linux accounts it, native ones included: every thread of the
 * process whose kernel name ({@code /proc/self/task/<tid>/comm}, 15 characters at most) starts with
 * {@code "continuo-"} (ours) or {@code "JFR "} (JFR's recorder, sampler, periodic-task, stream and
 * shutdown-hook threads, which ThreadMXBean partly cannot see).
 *
 * <p>Cost: the task directory is listed and the names of threads not seen before are read at most every
 * {@link #RESCAN_NANOS}; each reading then opens one small file per matching thread (bounded by
 * {@link #MAX_THREADS}). CPU comes from {@code schedstat} (nanoseconds) and, where that is missing, from
 * {@code stat} (utime + stime in clock ticks). Not thread-safe: one reader (the control step).
 */
public final class ProcThreadCpu {
    static final int MAX_THREADS = 64;
    static final long RESCAN_NANOS = 5_000_000_000L;
    /** Names of live threads are remembered (so each is read once); beyond this the cache is rebuilt. */
    private static final int MAX_KNOWN = 100_000;
    private static final long DEFAULT_TICKS_PER_SECOND = 100;
    private static final int AT_CLKTCK = 17;

    private final Path task;
    private final long nanosPerTick;
    private final Map<String, Boolean> known = new HashMap<>();
    private final Map<String, Long> lastCpu = new HashMap<>();
    private String[] agentTids = new String[0];
    private long lastScan = Long.MIN_VALUE;
    private int scans;
    private long total;
    private final boolean useSchedstat;

    ProcThreadCpu(Path task, long ticksPerSecond, boolean useSchedstat) {
        this.task = task;
        this.nanosPerTick = 1_000_000_000L / Math.max(1, ticksPerSecond);
        this.useSchedstat = useSchedstat;
    }

    /** The reader for this process, or null where there is no usable {@code /proc/self/task} (not Linux). */
    public static ProcThreadCpu forThisProcess() {
        try {
            Path task = Path.of("/proc/self/task");
            if (!Files.isDirectory(task)) return null;
            // schedstat (ns) needs CONFIG_SCHED_INFO; decided once so a thread's readings never mix units.
            String own = readSmall(Path.of("/proc/thread-self/schedstat"));
            boolean schedstat = own != null && parseSchedstat(own) >= 0;
            ProcThreadCpu p = new ProcThreadCpu(task, ticksPerSecond(Path.of("/proc/self/auxv")), schedstat);
            return p.agentCpuNanos() >= 0 ? p : null;
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Monotonic total CPU time (ns) of the agent's threads since this reader started watching them
     * (threads that exit keep their share); -1 when {@code /proc} could not be read.
     */
    public long agentCpuNanos() {
        try {
            long now = System.nanoTime();
            // The first few readings rescan every time: JFR starts its threads just after the agent starts.
            if (scans < 5 || now - lastScan >= RESCAN_NANOS) {
                rescan();
                lastScan = now;
                scans++;
            }
            for (int i = 0; i < agentTids.length; i++) {
                String tid = agentTids[i];
                if (tid == null) continue;
                long cpu = threadCpuNanos(tid);
                if (cpu < 0) {
                    // Exited: its CPU up to the last reading stays in the total.
                    agentTids[i] = null;
                    lastCpu.remove(tid);
                    continue;
                }
                Long before = lastCpu.put(tid, cpu);
                total += Math.max(0, cpu - (before == null ? 0 : before));
            }
            return total;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** "schedstat" or "stat": where per-thread CPU time comes from. */
    public String source() { return useSchedstat ? "schedstat" : "stat"; }

    /** Number of threads counted as the agent's at the last scan. */
    public int watchedThreads() {
        int n = 0;
        for (String t : agentTids) if (t != null) n++;
        return n;
    }

    private void rescan() throws IOException {
        String[] tids = new File(task.toString()).list();
        if (tids == null) throw new IOException("cannot list " + task);
        if (known.size() > MAX_KNOWN) known.clear();
        Map<String, Boolean> live = new HashMap<>();
        String[] agent = new String[Math.min(MAX_THREADS, tids.length)];
        int n = 0;
        for (String tid : tids) {
            Boolean mine = known.get(tid);
            if (mine == null) {
                String comm = readSmall(task.resolve(tid).resolve("comm"));
                if (comm == null) continue; // exited meanwhile
                mine = isAgentThread(comm.trim());
            }
            live.put(tid, mine);
            if (mine && n < agent.length) agent[n++] = tid;
        }
        known.clear();
        known.putAll(live);
        lastCpu.keySet().retainAll(live.keySet());
        String[] out = new String[n];
        System.arraycopy(agent, 0, out, 0, n);
        agentTids = out;
    }

    private long threadCpuNanos(String tid) {
        Path dir = task.resolve(tid);
        if (useSchedstat) {
            String s = readSmall(dir.resolve("schedstat"));
            return s == null ? -1 : parseSchedstat(s);
        }
        String stat = readSmall(dir.resolve("stat"));
        if (stat == null) return -1;
        long ticks = parseStatCpuTicks(stat);
        return ticks < 0 ? -1 : ticks * nanosPerTick;
    }

    /** Kernel thread names are the Java names cut to 15 bytes: "continuo-upload", "JFR Periodic Ta". */
    static boolean isAgentThread(String comm) {
        return comm.startsWith("continuo-") || comm.startsWith("JFR ");
    }

    /**
     * utime + stime (clock ticks) from a {@code /proc/.../stat} line, -1 when malformed. The name field
     * in parentheses may itself hold spaces and parentheses, so fields are counted from the last ')'.
     */
    static long parseStatCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return -1;
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state); utime and stime are fields 14 and 15.
        if (f.length < 13) return -1;
        try {
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return utime < 0 || stime < 0 ? -1 : utime + stime;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The first field of {@code schedstat}: time spent on a CPU, ns; -1 when malformed. */
    static long parseSchedstat(String schedstat) {
        String s = schedstat.trim();
        int sp = s.indexOf(' ');
        try {
            long v = Long.parseLong(sp < 0 ? s : s.substring(0, sp));
            return v < 0 ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** AT_CLKTCK from the auxiliary vector (what getconf CLK_TCK reports); 100 when unreadable. */
    static long ticksPerSecond(Path auxv) {
        try {
            return clockTicks(Files.readAllBytes(auxv));
        } catch (Throwable t) {
            return DEFAULT_TICKS_PER_SECOND;
        }
    }

    /** Parses a 64-bit little-endian auxv (pairs of type, value). */
    static long clockTicks(byte[] auxv) {
        for (int i = 0; i + 16 <= auxv.length; i += 16) {
            long type = le64(auxv, i);
            if (type == 0) break;
            if (type == AT_CLKTCK) {
                long v = le64(auxv, i + 8);
                return v > 0 && v <= 1_000_000 ? v : DEFAULT_TICKS_PER_SECOND;
            }
        }
        return DEFAULT_TICKS_PER_SECOND;
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int k = 7; k >= 0; k--) v = (v << 8) | (b[off + k] & 0xff);
        return v;
    }

    /** Contents of a small /proc file, or null when it is gone (thread exited) or unreadable. */
    private static String readSmall(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
