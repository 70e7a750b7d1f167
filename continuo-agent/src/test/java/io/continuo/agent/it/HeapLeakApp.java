package io.continuo.agent.it;

import java.io.File;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A slow leak in a big heap, as a real service has one: request garbage (short-lived, dies in young collections)
 * plus {@code args[1]} KB per second that a cache keeps forever, until the file {@code args[0]} exists (at most ten
 * minutes). With {@code -Xmx1g} and G1 nothing here makes an old or mixed collection happen for minutes: only young
 * ones. Prints the collectors' counts at exit so the test can check that.
 */
public final class HeapLeakApp {
    static final List<byte[]> CACHE = new ArrayList<>();
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        File stop = new File(args[0]);
        long leakPerSecond = Long.parseLong(args[1]) * 1024;
        long start = System.nanoTime();
        long end = System.currentTimeMillis() + 600_000;
        long leaked = 0;
        while (!stop.exists() && System.currentTimeMillis() < end) {
            for (int i = 0; i < 200; i++) sink = new byte[16 * 1024]; // ~3 MB of garbage per round
            double seconds = (System.nanoTime() - start) / 1e9;
            while (leaked < seconds * leakPerSecond) {
                remember();
                leaked += 10 * 1024;
            }
            Thread.sleep(10);
        }
        StringBuilder gcs = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.append(gc.getName()).append('=').append(gc.getCollectionCount()).append(';');
        }
        System.out.println("leaked=" + leaked + " gcs=" + gcs);
    }

    /** The leak site: 10 KB per call, kept forever. */
    static void remember() {
        CACHE.add(new byte[10 * 1024]);
    }
}
