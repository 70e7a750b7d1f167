package io.continuo.server.pyroscope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.continuo.model.Strings;
import io.continuo.model.ValidationException;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.BoundedBody;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.store.StoreException;
import io.continuo.store.StoreLimitException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The Connect protocol's unary calls over HTTP POST: a request message in {@code application/proto} or
 * {@code application/json} (optionally gzip-compressed, named by {@code Content-Encoding} or
 * {@code Connect-Content-Encoding}), the response in the same encoding, and failures as Connect errors:
 * {@code {"code": "invalid_argument", "message": "..."}} in JSON with the code's HTTP status. Response compression is
 * left to the HTTP layer, which gzips larger bodies for clients that accept it.
 */
final class ConnectUnary {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectUnary.class);
    private static final JsonFactory JSON = new JsonFactory();
    static final String PROTO = "application/proto";
    static final String JSON_TYPE = "application/json";

    /** One RPC: the tenant the request acts for and the decoded request in, the response message out. */
    @FunctionalInterface
    interface Rpc<Q extends Message> {
        Message call(Context ctx, Q request);
    }

    private final ServerMetrics metrics;
    private final long maxBodyBytes;
    private final long maxDecompressedBytes;

    ConnectUnary(ServerMetrics metrics, long maxBodyBytes, long maxDecompressedBytes) {
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    <Q extends Message> Handler handler(String method, Q prototype, Rpc<Q> rpc) {
        return ctx -> {
            long start = System.nanoTime();
            try {
                boolean json = isJson(ctx);
                byte[] body = decompress(ctx, BoundedBody.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), maxBodyBytes));
                Message.Builder builder = prototype.newBuilderForType();
                if (json) {
                    ProtoJson.parse(body, builder);
                } else {
                    builder.mergeFrom(body);
                }
                @SuppressWarnings("unchecked")
                Q request = (Q) builder.build();
                Message response = rpc.call(ctx, request);
                ctx.status(200).contentType(json ? JSON_TYPE : PROTO)
                        .result(json ? ProtoJson.print(response) : response.toByteArray());
            } catch (Exception e) {
                fail(ctx, method, e);
            } finally {
                metrics.observeSeconds("continuo_query_duration_seconds", "Query latency by endpoint.",
                        "endpoint", "pyroscope_" + method, (System.nanoTime() - start) / 1e9);
            }
        };
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        if (media.equals(JSON_TYPE)) {
            return true;
        }
        if (media.equals(PROTO)) {
            return false;
        }
        throw new UnsupportedMedia("unsupported Content-Type '" + Strings.abbreviate(type, 80)
                + "': Connect unary calls are application/proto or application/json");
    }

    private byte[] decompress(Context ctx, byte[] body) {
        String encoding = ctx.header("Connect-Content-Encoding");
        if (encoding == null) {
            encoding = ctx.header("Content-Encoding");
        }
        if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
            return body;
        }
        if (!encoding.trim().equalsIgnoreCase("gzip")) {
            throw ConnectException.unimplemented("unsupported compression '" + Strings.abbreviate(encoding, 40) + "': use gzip or identity");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxDecompressedBytes) {
                    throw new ConnectException(ConnectCode.RESOURCE_EXHAUSTED,
                            "decompressed request exceeds the limit of " + maxDecompressedBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ConnectException.invalidArgument("invalid gzip request body: " + e.getMessage());
        }
    }

    private void fail(Context ctx, String method, Exception e) {
        ConnectCode code;
        String message = e.getMessage();
        int status;
        if (e instanceof UnsupportedMedia) {
            code = ConnectCode.INVALID_ARGUMENT;
            status = 415;
        } else {
            code = codeOf(e);
            if (e instanceof InvalidProtocolBufferException) {
                message = "invalid protobuf request body: " + message;
            } else if (e instanceof StoreException && !(e instanceof StoreLimitException)) {
                LOG.warn("store failure on {}", method, e);
                message = "store unavailable: " + message;
            } else if (code == ConnectCode.INTERNAL) {
                LOG.error("unexpected failure on Pyroscope query {}", method, e);
                message = "internal error: " + e.getClass().getSimpleName();
            }
            status = code.httpStatus();
        }
        metrics.inc("continuo_requests_rejected_total", "Requests answered with an error, by status.", "status",
                Integer.toString(status), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("code", code.wireName());
            g.writeStringField("message", message == null ? code.wireName() : message);
            g.writeEndObject();
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        ctx.status(status).contentType(JSON_TYPE).result(out.toByteArray());
    }

    private static ConnectCode codeOf(Exception e) {
        if (e instanceof ConnectException c) {
            return c.code();
        }
        if (e instanceof ValidationException || e instanceof InvalidProtocolBufferException) {
            return ConnectCode.INVALID_ARGUMENT;
        }
        if (e instanceof ApiException a) {
            return ConnectCode.fromHttpStatus(a.status());
        }
        if (e instanceof StoreLimitException) {
            return ConnectCode.RESOURCE_EXHAUSTED;
        }
        return e instanceof StoreException ? ConnectCode.UNAVAILABLE : ConnectCode.INTERNAL;
    }

    /** A body in an encoding Connect does not define: HTTP 415, as the protocol asks. */
    private static final class UnsupportedMedia extends RuntimeException {
        UnsupportedMedia(String message) {
            super(message);
        }
    }
}
