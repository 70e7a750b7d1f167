package io.continuo.agent.it;

import java.io.File;

/**
 * Burns CPU at the bottom of a {@code args[1]}-frame recursion until the file {@code args[0]} exists (at most ten
 * minutes): stacks as deep as real Spring/Jetty ones, for the whole-stack check.
 */
public final class DeepStackApp {
    static volatile double result;

    public static void main(String[] args) {
        File stop = new File(args[0]);
        int depth = Integer.parseInt(args[1]);
        long end = System.currentTimeMillis() + 600_000;
        while (!stop.exists() && System.currentTimeMillis() < end) descend(depth);
        System.out.println("done");
    }

    static void descend(int n) {
        if (n > 0) {
            descend(n - 1);
        } else {
            bottom();
        }
    }

    static void bottom() {
        long until = System.nanoTime() + 50_000_000L;
        while (System.nanoTime() < until) result += WorkloadApp.burnCpu();
    }
}
