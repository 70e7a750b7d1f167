package io.continuo.store;

/**
 * The store could not take or finish a request for a reason that is expected to pass (disk full, the write queue
 * full, a store that stopped answering, a store being restarted). Carries a machine-readable {@link StoreFailure}
 * and how long a client should wait before retrying; the HTTP layer maps it to 507 (disk full) or 503, always with
 * {@code Retry-After}. {@link #nothingStored()} tells whether the caller's data is known not to be stored: a write
 * that timed out while being committed may still land.
 */
public class StoreUnavailableException extends StoreException {
    private final StoreFailure failure;
    private final long retryAfterSeconds;
    private final boolean nothingStored;

    public StoreUnavailableException(StoreFailure failure, String message, long retryAfterSeconds,
                                     boolean nothingStored, Throwable cause) {
        super(message, cause);
        this.failure = failure;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
        this.nothingStored = nothingStored;
    }

    public StoreUnavailableException(StoreFailure failure, String message, long retryAfterSeconds) {
        this(failure, message, retryAfterSeconds, true, null);
    }

    public StoreFailure failure() {
        return failure;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public boolean nothingStored() {
        return nothingStored;
    }
}
