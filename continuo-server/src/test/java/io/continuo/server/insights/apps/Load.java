package io.continuo.server.insights.apps;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scenario apps share. Work is paced: a tick every 100 ms spends a fixed amount of this thread's CPU time
 * (measured, so a slow or busy machine changes how long a tick takes, not what it costs), and a tick that is late is
 * skipped rather than caught up, so a contended app can only use less CPU, never burst. Each app keeps a resident
 * set (its "caches", allocated before anything else) and a daemon thread runs a full GC every second, so the agent's
 * heap-after-GC readings are fresh at every upload.
 */
public final class Load {
    static final long TICK_MS = 100;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final List<byte[]> RESIDENT = new ArrayList<>();
    static volatile long sink;
    static volatile Object garbage;

    private Load() {
    }

    /**
     * About {@code bytes} of short-lived data in pieces of random size (1 to 7 KB), as real code allocates. JFR
     * samples the allocation that crosses a TLAB's end and gives it the bytes since the last sample; a call that
     * allocates the same pieces in the same order every time repeats with a period that can lock onto the TLAB size,
     * so one call site would take every sample of a run and another none (it flipped a clean run's allocation
     * profile between two identical versions). Random sizes break that lock.
     */
    static byte[][] pieces(int bytes) {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        byte[][] out = new byte[bytes / 1024][];
        int left = bytes;
        for (int n = 0; left > 0 && n < out.length; n++) {
            out[n] = new byte[Math.min(left, 1024 * (1 + random.nextInt(7)))];
            left -= out[n].length;
        }
        return out;
    }

    /** A process that holds {@code mb} MB of long-lived data and collects garbage every second. */
    static void start(int mb) {
        for (int i = 0; i < mb; i++) {
            RESIDENT.add(new byte[1 << 20]);
        }
        System.gc();
        Thread gc = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                System.gc();
            }
        }, "gc-ticker");
        gc.setDaemon(true);
        gc.start();
    }

    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Calls {@code tick} with the seconds since {@code startMillis} every 100 ms until {@code seconds} have passed. */
    static void paced(long startMillis, double seconds, Tick tick) throws InterruptedException {
        long end = startMillis + (long) (seconds * 1000);
        long next = System.currentTimeMillis();
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= end) {
                return;
            }
            if (now < next) {
                Thread.sleep(next - now);
                continue;
            }
            tick.run((now - startMillis) / 1000.0);
            next += TICK_MS;
            long after = System.currentTimeMillis();
            if (after > next) {
                next = after - (after - next) % TICK_MS + TICK_MS;
            }
        }
    }

    /** One tick of an app's work, at {@code second} seconds into the run. */
    interface Tick {
        void run(double second);
    }

    static void keep(long x) {
        sink += x;
    }

    static void keep(Object o) {
        garbage = o;
    }
}
