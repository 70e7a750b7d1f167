package io.continuo.agent.it;

import java.util.ArrayList;
import java.util.List;

/** Busy threads on every core beside the app under test, so tests see the machine saturated. */
final class CpuHog implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;
    static volatile long sink;

    CpuHog(int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                long x = 1;
                while (!stop) {
                    for (int k = 0; k < 100_000; k++) x = x * 6364136223846793005L + 1442695040888963407L;
                    sink = x;
                }
            }, "cpu-hog-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** One more busy thread than cores: every core stays busy even when the app runs. */
    static CpuHog allCores() { return new CpuHog(Runtime.getRuntime().availableProcessors() + 1); }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) t.join();
    }
}
