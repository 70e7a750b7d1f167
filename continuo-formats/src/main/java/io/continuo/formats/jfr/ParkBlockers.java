package io.continuo.formats.jfr;

/**
 * Which {@code jdk.ThreadPark} events are lock contention: parks on a lock's synchronizer, not idle pool workers
 * waiting for work, condition waits, futures or latches. The set async-profiler's lock mode uses, plus
 * {@code StampedLock}. The agent applies the same rule in {@code io.continuo.agent.jfr.ParkBlockers}; it has no
 * dependencies by design, so it keeps its own copy.
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
