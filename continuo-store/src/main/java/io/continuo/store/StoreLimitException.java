package io.continuo.store;

/**
 * A write was refused because it would cross a configured bound (for example the maximum number of series per
 * tenant). Nothing of the refused batch was stored; the message names the limit and its value. The HTTP layer maps
 * this to 429 (or 400), never to 500.
 */
public final class StoreLimitException extends StoreException {
    private final String limit;
    private final long value;

    public StoreLimitException(String limit, long value, String message) {
        super(message);
        this.limit = limit;
        this.value = value;
    }

    /** The name of the limit, e.g. {@code maxSeriesPerTenant}. */
    public String limit() {
        return limit;
    }

    /** The configured value of the limit. */
    public long value() {
        return value;
    }
}
