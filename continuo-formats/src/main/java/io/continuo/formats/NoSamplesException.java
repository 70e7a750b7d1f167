package io.continuo.formats;

/**
 * Well-formed input that holds nothing to store: no samples, or only samples of value 0 (a JFR recording without
 * profiling events, a pprof with sample types but no samples, an empty collapsed file). Its own type so that the
 * server can answer it apart from corrupt input (and count it as {@code no_samples}): a client that uploads an
 * event type we do not read learns so at once instead of from an empty flame graph.
 */
public final class NoSamplesException extends ProfileFormatException {
    public NoSamplesException(String format, String reason) {
        super(format, UNKNOWN_OFFSET, reason);
    }
}
