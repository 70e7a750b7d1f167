package io.continuo.agent.jfr;

import io.continuo.agent.Log;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Raises JFR's stack depth (64 frames by default; real Spring/Jetty stacks are 100–300 deep) from inside the
 * process, the documented way: the {@code JFR.configure stackdepth=N} diagnostic command, which {@code jcmd} runs
 * too, called through the platform's DiagnosticCommand MBean. JFR's execution sampler sizes its frame buffer when
 * it starts and each thread when it first records an event, so this must run before the agent's recording starts;
 * with no other recording running that is before any stack is taken. It only ever raises the depth (never lowers
 * what {@code -XX:FlightRecorderOptions:stackdepth=N} or another tool set) and never throws: when the command is not
 * there, JFR keeps 64 and deeper stacks end in {@code [truncated]}.
 */
final class JfrStackDepth {
    private static final String MBEAN = "com.sun.management:type=DiagnosticCommand";
    private static final String OPERATION = "jfrConfigure";
    private static final String SIGNATURE = String[].class.getName();
    private static final String DEPTH_LINE = "Stack depth:";

    private JfrStackDepth() {}

    /** @return the depth in force afterwards, or -1 when it cannot be read (then nothing was changed) */
    static int atLeast(int wanted) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(MBEAN);
            int current = parse(configure(server, name, new String[0]));
            if (current < 0 || current >= wanted) return current;
            int now = parse(configure(server, name, new String[] {"stackdepth=" + wanted}));
            Log.debug("JFR stack depth " + current + " -> " + now);
            return now;
        } catch (Throwable t) {
            Log.debug("JFR stack depth unchanged: " + t);
            return -1;
        }
    }

    private static String configure(MBeanServer server, ObjectName name, String[] args) throws Exception {
        Object out = server.invoke(name, OPERATION, new Object[] {args}, new String[] {SIGNATURE});
        return out == null ? "" : out.toString();
    }

    /** The number after "Stack depth:" in JFR.configure's answer, -1 if none. */
    static int parse(String out) {
        int i = out.indexOf(DEPTH_LINE);
        if (i < 0) return -1;
        int p = i + DEPTH_LINE.length();
        while (p < out.length() && out.charAt(p) == ' ') p++;
        int end = p;
        while (end < out.length() && Character.isDigit(out.charAt(end))) end++;
        if (end == p || end - p > 9) return -1;
        return Integer.parseInt(out.substring(p, end));
    }
}
