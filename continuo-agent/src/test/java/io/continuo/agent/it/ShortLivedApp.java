package io.continuo.agent.it;

/** Burns CPU on one thread for a few seconds and exits: shorter than any upload interval it is run with. */
public final class ShortLivedApp {
    static volatile double result;

    public static void main(String[] args) {
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        while (System.currentTimeMillis() < end) result += WorkloadApp.burnCpu();
        System.out.println("done at " + System.currentTimeMillis());
    }
}
