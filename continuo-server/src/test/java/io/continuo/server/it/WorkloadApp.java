package io.continuo.server.it;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A small app for profilers to watch, run in a child JVM: one thread burns CPU in {@link #burnCpu}, one allocates
 * in {@link #allocate}, two contend for one monitor in {@link #contend}. Runs for the seconds given as argument.
 */
public final class WorkloadApp {
    private static final Object LOCK = new Object();
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        long until = System.currentTimeMillis() + Long.parseLong(args[0]) * 1000;
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> burnCpu(until), "burner"));
        threads.add(new Thread(() -> allocate(until), "allocator"));
        threads.add(new Thread(() -> contend(until), "contender-1"));
        threads.add(new Thread(() -> contend(until), "contender-2"));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    static void burnCpu(long until) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] data = new byte[4096];
            while (System.currentTimeMillis() < until) {
                for (int i = 0; i < 1000; i++) {
                    data = sha.digest(data) .length == 32 ? data : data;
                    sha.update(data);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void allocate(long until) {
        while (System.currentTimeMillis() < until) {
            for (int i = 0; i < 1000; i++) {
                sink = new byte[64 * 1024];
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static void contend(long until) {
        while (System.currentTimeMillis() < until) {
            synchronized (LOCK) {
                long busyUntil = System.nanoTime() + 20_000_000;
                while (System.nanoTime() < busyUntil) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
