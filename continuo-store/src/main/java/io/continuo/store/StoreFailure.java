package io.continuo.store;

/**
 * Why a store request failed, as reported in error bodies, {@code /healthz} and the
 * {@code continuo_store_write_failures_total{reason=...}} counter. The names are a contract (docs/operations.md).
 */
public enum StoreFailure {
    /** The data directory's file system is full; writes resume by themselves when space is freed. */
    DISK_FULL("disk_full"),
    /** Any other I/O or database error that put the store out of service until it is reopened. */
    IO_ERROR("io_error"),
    /** The write queue was full for the whole wait: the store is slower than the uploads. */
    QUEUE_FULL("queue_full"),
    /** A queued write was not committed within the wait (a slow or hung store). */
    TIMEOUT("timeout"),
    /** One write (or its group) failed and was rolled back; the store itself is fine. */
    WRITE_FAILED("write_failed"),
    /** An unexpected Error (e.g. OutOfMemoryError) in the writer thread; the thread survives it. */
    INTERNAL("internal"),
    /** The store is closing or closed. */
    CLOSED("closed");

    private final String reason;

    StoreFailure(String reason) {
        this.reason = reason;
    }

    /** The stable snake_case name used in JSON and metric labels. */
    public String reason() {
        return reason;
    }
}
