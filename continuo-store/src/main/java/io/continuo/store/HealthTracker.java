package io.continuo.store;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mutable side of {@link StoreHealth}, shared by the engines: counts write failures by reason and holds the
 * current out-of-service condition. Thread-safe; {@link #condition} is published through one volatile field so a
 * reader never sees a reason of one condition with the message of another.
 */
public final class HealthTracker {
    private record Condition(StoreFailure failure, String message, long sinceMillis) {
    }

    private final Clock clock;
    private final Map<StoreFailure, LongAdder> failures = new ConcurrentHashMap<>();
    private volatile Condition condition;

    public HealthTracker(Clock clock) {
        this.clock = clock;
    }

    /** Counts one failed write (one caller's request). */
    public void countFailure(StoreFailure failure) {
        failures.computeIfAbsent(failure, f -> new LongAdder()).increment();
    }

    /** The store is out of service; keeps the first time of a continuing condition of the same kind. */
    public void down(StoreFailure failure, String message) {
        Condition c = condition;
        long since = c != null && c.failure == failure ? c.sinceMillis : clock.millis();
        condition = new Condition(failure, message, since);
    }

    public void up() {
        condition = null;
    }

    /** The current condition, or null when healthy. */
    public StoreFailure failure() {
        Condition c = condition;
        return c == null ? null : c.failure;
    }

    public String message() {
        Condition c = condition;
        return c == null ? null : c.message;
    }

    public StoreHealth snapshot() {
        Map<String, Long> counts = new TreeMap<>();
        failures.forEach((f, n) -> counts.put(f.reason(), n.sum()));
        Condition c = condition;
        return c == null ? new StoreHealth(true, null, null, 0, counts)
                : new StoreHealth(false, c.failure, c.message, c.sinceMillis, counts);
    }
}
