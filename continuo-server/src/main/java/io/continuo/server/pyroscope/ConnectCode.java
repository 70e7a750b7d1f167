package io.continuo.server.pyroscope;

/** Connect's error codes and the HTTP status each is sent with (connectrpc.com/docs/protocol, "Error Codes"). */
enum ConnectCode {
    CANCELED("canceled", 499),
    UNKNOWN("unknown", 500),
    INVALID_ARGUMENT("invalid_argument", 400),
    DEADLINE_EXCEEDED("deadline_exceeded", 504),
    NOT_FOUND("not_found", 404),
    ALREADY_EXISTS("already_exists", 409),
    PERMISSION_DENIED("permission_denied", 403),
    RESOURCE_EXHAUSTED("resource_exhausted", 429),
    FAILED_PRECONDITION("failed_precondition", 400),
    ABORTED("aborted", 409),
    OUT_OF_RANGE("out_of_range", 400),
    UNIMPLEMENTED("unimplemented", 501),
    INTERNAL("internal", 500),
    UNAVAILABLE("unavailable", 503),
    DATA_LOSS("data_loss", 500),
    UNAUTHENTICATED("unauthenticated", 401);

    private final String wireName;
    private final int httpStatus;

    ConnectCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    String wireName() {
        return wireName;
    }

    int httpStatus() {
        return httpStatus;
    }

    /** The code for an error Continuo's HTTP layer reports by status (auth, limits, bad input). */
    static ConnectCode fromHttpStatus(int status) {
        return switch (status) {
            case 400, 413, 415 -> status == 413 ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> NOT_FOUND;
            case 429 -> RESOURCE_EXHAUSTED;
            case 501 -> UNIMPLEMENTED;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : UNKNOWN;
        };
    }
}
