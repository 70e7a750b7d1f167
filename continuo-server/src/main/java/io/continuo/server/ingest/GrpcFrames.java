package io.continuo.server.ingest;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.server.http.ApiException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * gRPC's message framing over HTTP/2, for one unary call: a 1-byte compressed flag, a 4-byte big-endian length, the
 * message. Small enough to write here rather than bring in a gRPC server stack beside Jetty.
 */
final class GrpcFrames {
    private static final int HEADER = 5;

    private GrpcFrames() {
    }

    /** The one message of a unary request; gunzipped under maxDecompressedBytes when its flag says compressed. */
    static byte[] unframe(byte[] body, String encoding, DecodeLimits limits) {
        if (body.length < HEADER) {
            throw new ApiException(400, "grpc: a request message needs a 5-byte frame header, got " + body.length + " bytes");
        }
        int flag = body[0];
        long length = Integer.toUnsignedLong(ByteBuffer.wrap(body, 1, 4).getInt());
        if (length != body.length - HEADER) {
            throw new ApiException(400, "grpc: the frame declares " + length + " bytes but " + (body.length - HEADER)
                    + " follow (one message per unary call)");
        }
        byte[] message = new byte[body.length - HEADER];
        System.arraycopy(body, HEADER, message, 0, message.length);
        if (flag == 0) {
            return message;
        }
        if (flag != 1) {
            throw new ApiException(400, "grpc: compressed flag must be 0 or 1, got " + flag);
        }
        if (encoding == null || !encoding.trim().equalsIgnoreCase("gzip")) {
            throw new ApiException(415, "grpc: compressed message with grpc-encoding '" + encoding + "': only gzip is supported");
        }
        try {
            return Gzip.maybeDecompress(message, limits, "grpc");
        } catch (ProfileFormatException e) {
            boolean tooLarge = e.reason() != null && e.reason().contains("exceeds maxDecompressedBytes");
            throw new ApiException(tooLarge ? 413 : 400, e.getMessage(), e);
        }
    }

    /** One uncompressed response message. */
    static byte[] frame(byte[] message) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + message.length);
        out.put((byte) 0).putInt(message.length).put(message);
        return out.array();
    }

    /** grpc-message is percent-encoded: printable ASCII except '%' passes, everything else as %XX of its UTF-8. */
    static String percentEncode(String message) {
        StringBuilder sb = new StringBuilder();
        for (byte b : (message == null ? "" : message).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
