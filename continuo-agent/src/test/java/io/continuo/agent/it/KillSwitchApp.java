package io.continuo.agent.it;

/** Runs briefly and reports whether anything of the agent came to life. */
public final class KillSwitchApp {
    public static void main(String[] args) throws Exception {
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        double x = 0;
        while (System.currentTimeMillis() < end) x += WorkloadApp.burnCpu();
        long agentThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("continuo-") || t.getName().startsWith("JFR ")).count();
        System.out.println("jfrInitialized=" + jdk.jfr.FlightRecorder.isInitialized() + " agentThreads=" + agentThreads
                + " x=" + (x > 0));
    }
}
