package io.continuo.agent.it;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The profiled program: one CPU-burning method, one allocating method, one contended monitor, a less contended
 * ReentrantLock and an idle pool worker.
 * Each has a distinct name so the test can find it at the top of its profile.
 */
public final class WorkloadApp {
    private static final Object LOCK = new Object();
    private static final ReentrantLock REENTRANT = new ReentrantLock();
    static volatile Object sink;
    static volatile double result;

    public static void main(String[] args) throws Exception {
        // The run starts once the agent's recording does (seconds on a loaded machine), so every test gets its
        // full run of profiled work however slow the machine is.
        long waitUntil = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < waitUntil && !recording()) Thread.sleep(20);
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        Thread burner1 = worker("burner-1", () -> { while (System.currentTimeMillis() < end) result += burnCpu(); });
        Thread burner2 = worker("burner-2", () -> { while (System.currentTimeMillis() < end) result += burnCpu(); });
        Thread allocator = worker("allocator", () -> {
            while (System.currentTimeMillis() < end) {
                allocate();
                pause(2);
            }
        });
        Thread locker1 = worker("locker-1", () -> { while (System.currentTimeMillis() < end) contendedLock(); });
        Thread locker2 = worker("locker-2", () -> { while (System.currentTimeMillis() < end) contendedLock(); });
        Thread reentrant1 = worker("reentrant-1", () -> { while (System.currentTimeMillis() < end) contendedReentrantLock(); });
        Thread reentrant2 = worker("reentrant-2", () -> { while (System.currentTimeMillis() < end) contendedReentrantLock(); });
        // an idle pool worker waits ~100 ms for each task: waiting for work, not lock contention
        ExecutorService idlePool = Executors.newSingleThreadExecutor();
        Thread feeder = worker("feeder", () -> {
            while (System.currentTimeMillis() < end) {
                idlePool.execute(() -> result += 1);
                pause(100);
            }
        });
        for (Thread t : new Thread[] {burner1, burner2, allocator, locker1, locker2, reentrant1, reentrant2, feeder}) t.join();
        idlePool.shutdown();
        printAgentDiagnostics();
        printEnabledJfrEvents();
        System.out.println("processCpuNanos=" + ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
        System.out.println("done");
    }

    static double burnCpu() {
        double x = 0;
        for (int i = 1; i < 200_000; i++) x += Math.sqrt(i) / i;
        return x;
    }

    static void allocate() {
        for (int i = 0; i < 2_000; i++) sink = new byte[512];
    }

    static void contendedLock() {
        synchronized (LOCK) {
            pause(15);
        }
    }

    static void contendedReentrantLock() {
        REENTRANT.lock();
        try {
            pause(5);
        } finally {
            REENTRANT.unlock();
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean recording() {
        for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getState() == jdk.jfr.RecordingState.RUNNING) return true;
        }
        return false;
    }

    private static Thread worker(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.start();
        return t;
    }

    /** What every recording in this JVM has switched on: the test checks it is only profiling events. */
    static void printEnabledJfrEvents() {
        java.util.Set<String> enabled = new java.util.TreeSet<>();
        for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
            r.getSettings().forEach((k, v) -> {
                if (k.endsWith("#enabled") && v.equals("true")) enabled.add(k.substring(0, k.indexOf('#')));
            });
        }
        System.out.println("jfrEvents=" + String.join(",", enabled));
    }

    /** The agent is on the system class path; its diagnostics are read by name, as any tool would. */
    static void printAgentDiagnostics() {
        try {
            Method m = Class.forName("io.continuo.agent.ContinuoAgent").getMethod("diagnostics");
            System.out.println("diagnostics " + m.invoke(null));
        } catch (ReflectiveOperationException e) {
            System.out.println("diagnostics unavailable " + e);
        }
    }
}
