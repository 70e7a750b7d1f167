package io.continuo.store;

/** A store failed to read or write (I/O, database error, closed store). The caller's data may not be stored. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
