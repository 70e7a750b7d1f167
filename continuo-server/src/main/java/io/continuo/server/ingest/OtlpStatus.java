package io.continuo.server.ingest;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The body OTLP/HTTP requires on a 4xx/5xx: a {@code google.rpc.Status} (code, message) encoded like the request.
 * Two fields, so hand-encoded rather than pulling in the googleapis protos.
 */
final class OtlpStatus {
    private static final int FIELD_CODE = 1;
    private static final int FIELD_MESSAGE = 2;
    // google.rpc.Code values
    private static final int INVALID_ARGUMENT = 3;
    private static final int PERMISSION_DENIED = 7;
    private static final int RESOURCE_EXHAUSTED = 8;
    private static final int INTERNAL = 13;
    private static final int UNAVAILABLE = 14;
    private static final int UNAUTHENTICATED = 16;

    private OtlpStatus() {
    }

    static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 413, 429 -> RESOURCE_EXHAUSTED;
            case 502, 503, 504 -> UNAVAILABLE;
            default -> httpStatus >= 500 ? INTERNAL : INVALID_ARGUMENT;
        };
    }

    static byte[] encode(int httpStatus, String message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeInt32(FIELD_CODE, grpcCode(httpStatus));
            out.writeString(FIELD_MESSAGE, message == null ? "" : message);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
