package io.continuo.store;

/** A query ran past its {@link QueryDeadline} and was stopped; nothing is wrong with the store. */
public final class QueryTimeoutException extends StoreException {
    public QueryTimeoutException(String message) {
        super(message);
    }
}
