package io.continuo.agent;

import java.io.PrintStream;

/**
 * The agent's only output channel: one line per message on System.err, prefixed {@code [continuo]}.
 * Quiet by default because the app owns its console; {@code logLevel=info|debug} turns more on.
 */
public final class Log {
    public enum Level { QUIET, INFO, DEBUG }

    private static volatile Level level = Level.QUIET;
    private static volatile PrintStream out = System.err;

    private Log() {}

    public static void setLevel(Level l) { level = l; }

    public static boolean debugEnabled() { return level == Level.DEBUG; }

    /** Always printed: the agent disabling itself or refusing a setting is worth one line. */
    public static void warn(String msg) { print(msg); }

    public static void info(String msg) {
        if (level != Level.QUIET) print(msg);
    }

    public static void debug(String msg) {
        if (level == Level.DEBUG) print(msg);
    }

    private static void print(String msg) {
        try {
            out.println("[continuo] " + msg);
        } catch (Throwable ignored) {
            // A closed or broken stderr must not become the app's problem.
        }
    }
}
