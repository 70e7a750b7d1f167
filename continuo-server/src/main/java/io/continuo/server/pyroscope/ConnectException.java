package io.continuo.server.pyroscope;

/** A failed RPC: answered as a Connect error ({@code {"code": "...", "message": "..."}}) with the code's status. */
final class ConnectException extends RuntimeException {
    private final ConnectCode code;

    ConnectException(ConnectCode code, String message) {
        super(message);
        this.code = code;
    }

    static ConnectException invalidArgument(String message) {
        return new ConnectException(ConnectCode.INVALID_ARGUMENT, message);
    }

    static ConnectException unimplemented(String message) {
        return new ConnectException(ConnectCode.UNIMPLEMENTED, message);
    }

    ConnectCode code() {
        return code;
    }
}
