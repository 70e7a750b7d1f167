package io.continuo.store.duckdb;

import io.continuo.store.StoreFailure;

import java.util.Locale;

/**
 * Sorts DuckDB's errors into the ones a rollback cures and the ones after which the database instance must not be
 * used again. DuckDB 1.4 invalidates an instance after a fatal I/O error ("database has been invalidated because of
 * a previous fatal error") and reports internal errors the same way; its errors carry no codes, only messages, so the
 * classification reads them (and their causes). Anything unrecognised counts as recoverable: the writer rolls it
 * back and then checks the instance still answers, which catches an invalidation this list missed.
 */
final class DuckDbFailures {
    enum Kind {
        /** A rollback cures it (bad row, constraint, a refused statement). */
        RECOVERABLE(StoreFailure.WRITE_FAILED),
        /** The file system is full: reopen, refuse writes until there is room again. */
        DISK_FULL(StoreFailure.DISK_FULL),
        /** Any other I/O or fatal database error: reopen from the files. */
        IO_ERROR(StoreFailure.IO_ERROR);

        private final StoreFailure failure;

        Kind(StoreFailure failure) {
            this.failure = failure;
        }

        StoreFailure failure() {
            return failure;
        }
    }

    private static final String[] DISK_FULL = {"no space left on device", "enospc", "disk is full", "disk full",
            "not enough space", "quota exceeded"};
    private static final String[] FATAL = {"io error", "could not write", "could not read", "could not fsync",
            "could not truncate", "invalidated", "fatal error", "internal error", "failed to commit",
            "failed to create checkpoint", "read-only file system"};

    private DuckDbFailures() {
    }

    static Kind classify(Throwable error) {
        Kind kind = Kind.RECOVERABLE;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (containsAny(m, DISK_FULL)) {
                return Kind.DISK_FULL;
            }
            if (containsAny(m, FATAL)) {
                kind = Kind.IO_ERROR;
            }
        }
        return kind;
    }

    private static boolean containsAny(String text, String[] needles) {
        for (String n : needles) {
            if (text.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
