package io.continuo.agent.it;

/**
 * Waits until the agent's JFR recording runs (its start-up takes about a second, more on a loaded machine),
 * then burns CPU on one thread for a few seconds and exits: shorter than any upload interval it is run with.
 */
public final class ShortLivedApp {
    static volatile double result;

    public static void main(String[] args) throws Exception {
        long waitUntil = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < waitUntil && !recording()) Thread.sleep(20);
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        while (System.currentTimeMillis() < end) result += WorkloadApp.burnCpu();
        System.out.println("done at " + System.currentTimeMillis());
    }

    private static boolean recording() {
        for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getState() == jdk.jfr.RecordingState.RUNNING) return true;
        }
        return false;
    }
}
