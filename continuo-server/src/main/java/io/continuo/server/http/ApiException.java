package io.continuo.server.http;

/** A request that cannot be served, with the HTTP status to answer and a message naming what is wrong. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final int retryAfterSeconds;

    public ApiException(int status, String message) {
        this(status, message, 0);
    }

    private ApiException(int status, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 503 with {@code Retry-After}: the server is momentarily at a limit; the same request may succeed soon. */
    public static ApiException busy(String message, int retryAfterSeconds) {
        return new ApiException(503, message, retryAfterSeconds);
    }

    /** Seconds for a {@code Retry-After} header, 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ApiException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfterSeconds = 0;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    public static ApiException unprocessable(String message) {
        return new ApiException(422, message);
    }

    public static ApiException tooManyRequests(String message) {
        return new ApiException(429, message);
    }
}
