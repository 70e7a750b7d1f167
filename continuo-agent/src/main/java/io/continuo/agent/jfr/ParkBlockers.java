package io.continuo.agent.jfr;

/**
 * Which {@code jdk.ThreadPark} events are lock contention. A thread parks for many reasons: idle pool workers wait
 * on a queue's condition, callers wait for futures and latches. Only parks on a lock's synchronizer are time spent
 * waiting for a lock; the rest is waiting for work or results, which the wall-clock profile shows. The same set as
 * async-profiler's lock mode (so lock profiles compare with the Pyroscope agent's), plus {@code StampedLock}.
 */
final class ParkBlockers {
    private static final String[] LOCK_PREFIXES = {
        "java.util.concurrent.locks.ReentrantLock",
        "java.util.concurrent.locks.ReentrantReadWriteLock",
        "java.util.concurrent.locks.StampedLock",
        "java.util.concurrent.Semaphore",
    };

    private ParkBlockers() {
    }

    /** True when a park on an object of this class (JFR's {@code parkedClass}, null when none) waits for a lock. */
    static boolean isLock(String blockerClass) {
        if (blockerClass == null) {
            return false;
        }
        for (String prefix : LOCK_PREFIXES) {
            if (blockerClass.startsWith(prefix)
                    && (blockerClass.length() == prefix.length() || blockerClass.charAt(prefix.length()) == '$')) {
                return true;
            }
        }
        return false;
    }
}
