package io.continuo.bench.overhead;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The program whose overhead is measured, run in a child JVM by {@link OverheadBenchmark}: {@code threads} workers
 * each serve "requests" back to back (a closed loop), and every request does a bit of everything a profiler samples:
 * <ul>
 *   <li>CPU: SHA-256 over a 16 KiB buffer and a sort of 4,096 ints;</li>
 *   <li>allocation: a 256-entry {@code HashMap<String, Integer>} and a 1-64 KiB array per request, plus a 4 KiB
 *       array stored into a shared 32 MiB cache, so the old generation churns too;</li>
 *   <li>lock contention: a short critical section under one global monitor and one of two {@link ReentrantLock}s.</li>
 * </ul>
 * Workers start at once; after {@code warmup} seconds the measured window of {@code seconds} opens: requests that
 * complete inside it are counted and their latency (start to end of one request, in ns) recorded per thread in a
 * {@link LatencyHistogram}. At the end one line starting with {@value #RESULT_PREFIX} gives throughput, latency
 * percentiles, process CPU and GC over the window, and the process's VmRSS and VmHWM (Linux) in KiB; a second line
 * starting with {@value #THREADS_PREFIX} gives the window's CPU milliseconds by thread name ({@link ThreadCpu}).
 * <p>
 * Args (key=value, all optional): seconds=15 warmup=10 threads=4. Depends on the JDK only, so the child's classpath
 * is just the bench module's classes and nothing but the profiler under test shares its JVM.
 */
public final class MixedWorkload {
    static final String RESULT_PREFIX = "OVERHEAD-RESULT";
    static final String THREADS_PREFIX = "OVERHEAD-THREADS";
    private static final int HASH_BYTES = 16 << 10;
    private static final int SORT_INTS = 4096;
    private static final int MAP_ENTRIES = 256;
    private static final int MAX_GARBAGE_BYTES = 64 << 10;
    private static final int CACHE_SLOTS = 8192;
    private static final int CACHE_ENTRY_BYTES = 4 << 10;
    private static final int CRITICAL_SECTION_ROUNDS = 200;

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    private static final Object GLOBAL = new Object();
    private static final ReentrantLock[] STRIPES = {new ReentrantLock(), new ReentrantLock()};
    private static final AtomicReferenceArray<byte[]> CACHE = new AtomicReferenceArray<>(CACHE_SLOTS);
    private static long globalState;
    private static final long[] STRIPE_STATE = new long[STRIPES.length];
    /** Written so the JIT cannot drop the work; read once at the end. */
    static volatile long sink;

    private static volatile int phase = WARMUP;

    private MixedWorkload() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        int seconds = Args.intArg(a, "seconds", 15, 1, 3600);
        int warmup = Args.intArg(a, "warmup", 10, 0, 3600);
        int threads = Args.intArg(a, "threads", 4, 1, 256);

        Worker[] workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
        Thread.sleep(warmup * 1000L);

        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long[] gc0 = gcTotals();
        Map<String, Long> threads0 = ThreadCpu.snapshot();
        long t0 = System.nanoTime();
        phase = MEASURE;
        Thread.sleep(seconds * 1000L);
        // Before STOP: a worker's /proc entry vanishes as soon as it exits.
        Map<String, Long> threads1 = ThreadCpu.snapshot();
        phase = STOP;
        long elapsed = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long[] gc1 = gcTotals();
        for (Worker w : workers) w.join();

        LatencyHistogram all = new LatencyHistogram();
        for (Worker w : workers) all.add(w.latencies);
        Map<String, Long> mem = memory();
        System.out.println(String.format(Locale.ROOT,
                "%s ops=%d seconds=%.3f opsPerSec=%.1f p50Us=%.1f p99Us=%.1f p999Us=%.1f maxUs=%.1f"
                        + " cpuSeconds=%.3f gcCount=%d gcMillis=%d rssKb=%d hwmKb=%d sink=%d",
                RESULT_PREFIX, all.count(), elapsed / 1e9, all.count() / (elapsed / 1e9),
                all.percentile(50) / 1e3, all.percentile(99) / 1e3, all.percentile(99.9) / 1e3, all.max() / 1e3,
                cpu / 1e9, gc1[0] - gc0[0], gc1[1] - gc0[1],
                mem.getOrDefault("VmRSS", -1L), mem.getOrDefault("VmHWM", -1L), sink & 1));
        System.out.println(THREADS_PREFIX + " " + ThreadCpu.delta(threads0, threads1));
        System.out.flush();
        // Agents' shutdown hooks may upload or dump: that is after the window, and the driver ignores it.
        System.exit(0);
    }

    private static long[] gcTotals() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** VmRSS and VmHWM from /proc/self/status, in KiB; empty where there is no procfs. */
    private static Map<String, Long> memory() {
        Map<String, Long> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                    String[] parts = line.split("\\s+");
                    out.put(line.substring(0, line.indexOf(':')), Long.parseLong(parts[1]));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Not Linux: the driver reports memory as unknown.
        }
        return out;
    }

    private static final class Worker extends Thread {
        final LatencyHistogram latencies = new LatencyHistogram();
        private final SplittableRandom random;
        private final MessageDigest sha256;
        private final byte[] hashInput = new byte[HASH_BYTES];
        private final int[] sortInput = new int[SORT_INTS];
        private final int[] sortBuffer = new int[SORT_INTS];

        Worker(int id) throws NoSuchAlgorithmException {
            super("worker-" + id);
            setDaemon(true);
            random = new SplittableRandom(0x5EED + id);
            sha256 = MessageDigest.getInstance("SHA-256");
            random.nextBytes(hashInput);
            for (int i = 0; i < SORT_INTS; i++) sortInput[i] = random.nextInt();
        }

        @Override
        public void run() {
            long acc = 0;
            int p;
            while ((p = phase) != STOP) {
                long start = System.nanoTime();
                acc += request();
                long end = System.nanoTime();
                if (p == MEASURE && phase == MEASURE) latencies.record(end - start);
            }
            sink += acc;
        }

        private long request() {
            return cpu() + allocate() + contend();
        }

        private long cpu() {
            hashInput[random.nextInt(HASH_BYTES)]++;
            byte[] digest = sha256.digest(hashInput);
            System.arraycopy(sortInput, 0, sortBuffer, 0, SORT_INTS);
            sortBuffer[random.nextInt(SORT_INTS)] = random.nextInt();
            Arrays.sort(sortBuffer);
            return digest[0] + sortBuffer[SORT_INTS / 2];
        }

        private long allocate() {
            Map<String, Integer> map = new HashMap<>();
            int base = random.nextInt(1 << 20);
            for (int i = 0; i < MAP_ENTRIES; i++) map.put("key-" + (base + i), i);
            byte[] garbage = new byte[1 + random.nextInt(MAX_GARBAGE_BYTES)];
            garbage[garbage.length - 1] = (byte) map.size();
            byte[] kept = new byte[CACHE_ENTRY_BYTES];
            kept[0] = garbage[garbage.length - 1];
            CACHE.set(random.nextInt(CACHE_SLOTS), kept);
            return map.get("key-" + base) + garbage.length;
        }

        private long contend() {
            long x = random.nextLong();
            synchronized (GLOBAL) {
                for (int i = 0; i < CRITICAL_SECTION_ROUNDS; i++) x = x * 6364136223846793005L + 1442695040888963407L;
                globalState += x;
            }
            int s = random.nextInt(STRIPES.length);
            ReentrantLock lock = STRIPES[s];
            lock.lock();
            try {
                for (int i = 0; i < CRITICAL_SECTION_ROUNDS; i++) x ^= x << 13 ^ x >>> 7 ^ x << 17;
                STRIPE_STATE[s] += x;
            } finally {
                lock.unlock();
            }
            return x;
        }
    }
}
