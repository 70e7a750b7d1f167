package io.continuo.server.it;

import io.pyroscope.labels.v2.LabelsSet;
import io.pyroscope.labels.v2.Pyroscope;

/**
 * {@link WorkloadApp}'s threads, each inside a Pyroscope dynamic label ({@code endpoint}), for the Pyroscope Java agent
 * to profile: its uploads must arrive with the label on every sample. Runs for the seconds given as argument.
 */
public final class LabelledWorkloadApp {
    public static void main(String[] args) throws Exception {
        long until = System.currentTimeMillis() + Long.parseLong(args[0]) * 1000;
        Thread[] threads = {
            labelled("burner", "/checkout", () -> WorkloadApp.burnCpu(until)),
            labelled("allocator", "/alloc", () -> WorkloadApp.allocate(until)),
            labelled("contender-1", "/lock", () -> WorkloadApp.contend(until)),
            labelled("contender-2", "/lock", () -> WorkloadApp.contend(until)),
            labelled("sleeper", "/sleep", () -> sleep(until)),
        };
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static Thread labelled(String name, String endpoint, Runnable work) {
        return new Thread(() -> Pyroscope.LabelsWrapper.run(new LabelsSet("endpoint", endpoint), work), name);
    }

    private static void sleep(long until) {
        while (System.currentTimeMillis() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
