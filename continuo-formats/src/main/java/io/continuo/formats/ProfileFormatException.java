package io.continuo.formats;

/**
 * Input that is not a valid profile of the claimed format: truncated, corrupt, over a {@link DecodeLimits} bound,
 * or referring to things it does not define. The message names the format, the reason and, when known, the byte
 * offset (or line) where decoding stopped, e.g. {@code pprof: truncated varint at offset 1234}.
 */
public class ProfileFormatException extends RuntimeException {
    /** Offset value meaning the position is not known. */
    public static final long UNKNOWN_OFFSET = -1;

    private final String format;
    private final long offset;
    private final String reason;

    public ProfileFormatException(String format, long offset, String reason) {
        this(format, offset, reason, null);
    }

    public ProfileFormatException(String format, long offset, String reason, Throwable cause) {
        super(message(format, offset, reason), cause);
        this.format = format;
        this.offset = offset;
        this.reason = reason;
    }

    private static String message(String format, long offset, String reason) {
        return offset >= 0 ? format + ": " + reason + " at offset " + offset : format + ": " + reason;
    }

    /** {@code pprof}, {@code jfr}, {@code collapsed}, {@code gzip}, {@code pyroscope}... */
    public String format() {
        return format;
    }

    /** Byte offset into the decoded input where the problem was found, or {@link #UNKNOWN_OFFSET}. */
    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
