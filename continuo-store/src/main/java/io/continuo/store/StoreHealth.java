package io.continuo.store;

import java.util.Map;

/**
 * A snapshot of a store's condition for {@code /healthz} and {@code /metrics}.
 *
 * @param healthy       false while the store refuses writes (disk full, failed database, unreachable engine)
 * @param failure       why it is unhealthy (null when healthy)
 * @param message       the underlying error, for operators (null when healthy)
 * @param sinceMillis   when the current condition began (unix ms; 0 when healthy)
 * @param writeFailures every write failure so far, by {@link StoreFailure#reason()}
 */
public record StoreHealth(boolean healthy, StoreFailure failure, String message, long sinceMillis,
                          Map<String, Long> writeFailures) {
    public static final StoreHealth OK = new StoreHealth(true, null, null, 0, Map.of());

    public StoreHealth {
        writeFailures = Map.copyOf(writeFailures);
    }

    /** A healthy snapshot turned into a TIMEOUT one while the writer is stuck ({@code stuck} non-null). */
    public static StoreHealth withStuckWriter(StoreHealth h, String stuck) {
        if (!h.healthy() || stuck == null) {
            return h;
        }
        return new StoreHealth(false, StoreFailure.TIMEOUT, stuck, System.currentTimeMillis(), h.writeFailures());
    }
}
