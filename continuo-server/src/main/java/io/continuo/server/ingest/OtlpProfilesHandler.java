package io.continuo.server.ingest;

import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.otlp.OtlpBatch;
import io.continuo.formats.otlp.OtlpProfilesReader;
import io.continuo.formats.otlp.OtlpProfile;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesPartialSuccess;
import io.continuo.formats.otlp.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.continuo.model.Profile;
import io.continuo.model.Strings;
import io.continuo.model.ValidationException;
import io.continuo.server.ServerConfig;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.ApiKeys;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.store.StoreException;
import io.continuo.store.StoreUnavailableException;
import io.continuo.store.StoreLimitException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Function;

/**
 * OTLP/HTTP profiles ({@code POST /v1development/profiles}), what the OpenTelemetry eBPF profiler and a Collector's
 * {@code otlphttp} exporter send: binary protobuf or OTLP/JSON ({@code formats.otlp.OtlpJson}), gzip or not. Answers as OTLP/HTTP
 * specifies, in the request's encoding: 200 with an {@code ExportProfilesServiceResponse} (its
 * {@code partial_success} naming why profiles were refused), else the status with a {@code google.rpc.Status} body:
 * 400 undecodable, 413 too large, 415 wrong media type or encoding, 429 rate-limited. A 200 means every accepted profile is durable: each store write has returned.
 */
final class OtlpProfilesHandler {
    static final String PATH = "/v1development/profiles";
    /** OTLP/gRPC: the service method, as the path of an HTTP/2 POST (h2c on the server's port). */
    static final String GRPC_PATH = "/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export";
    private static final String GRPC = "application/grpc";
    private static final Logger LOG = LoggerFactory.getLogger(OtlpProfilesHandler.class);
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";
    private static final long DEFAULT_WINDOW_NANOS = 10_000_000_000L;

    private final ServerConfig config;
    private final ProfileDecoder decoder;
    private final IngestService ingest;
    private final TimeParser time;
    private final ServerMetrics metrics;
    private final Function<Context, byte[]> body;

    /** @param body reads the request body under the server's rate and size limits, as the other ingest APIs do */
    OtlpProfilesHandler(ServerConfig config, ProfileDecoder decoder, IngestService ingest, TimeParser time,
                        ServerMetrics metrics, Function<Context, byte[]> body) {
        this.config = config;
        this.decoder = decoder;
        this.ingest = ingest;
        this.time = time;
        this.metrics = metrics;
        this.body = body;
    }

    void handle(Context ctx) {
        boolean json = isJson(ctx);
        try {
            ApiKeys.authenticate(ctx, config);
            checkMediaType(ctx);
            byte[] raw = body.apply(ctx);
            OtlpBatch batch = decode(json ? otlpJson(gunzip(raw)) : raw);
            respond(ctx, json, store(RequestContext.tenant(ctx), batch));
        } catch (ApiException e) {
            fail(ctx, json, e.status(), e.getMessage());
        } catch (StoreLimitException e) {
            fail(ctx, json, 429, e.getMessage());
        } catch (StoreException e) {
            LOG.warn("store failure on OTLP ingest", e);
            // OTLP clients retry 503 (not 507) and honour Retry-After.
            ctx.header("Retry-After", Long.toString(e instanceof StoreUnavailableException u ? u.retryAfterSeconds() : 5));
            fail(ctx, json, 503, "store unavailable: " + e.getMessage());
        }
    }

    /**
     * OTLP/gRPC, what the Collector's default {@code otlp} exporter and the eBPF profiler send: the same request
     * decoded and stored as over HTTP, one length-prefixed message each way, the outcome as {@code grpc-status} and
     * {@code grpc-message} trailers (HTTP 200 either way, as gRPC requires).
     */
    void handleGrpc(Context ctx) {
        // the key first, so a request that is not even gRPC learns nothing without one (the app answers it 401)
        ApiKeys.authenticate(ctx, config);
        String type = lower(ctx.contentType());
        if (type == null || !type.startsWith(GRPC)) {
            // not a gRPC call at all: plain HTTP, as the gRPC-over-HTTP/2 spec says
            ctx.status(415).result("expected Content-Type " + GRPC);
            return;
        }
        try {
            byte[] message = GrpcFrames.unframe(body.apply(ctx), ctx.header("grpc-encoding"), decoder.limits());
            Result result = store(RequestContext.tenant(ctx), decode(message));
            grpcAnswer(ctx, 0, "", GrpcFrames.frame(response(result).toByteArray()));
        } catch (ApiException e) {
            grpcFail(ctx, e.status(), e.getMessage());
        } catch (StoreLimitException e) {
            grpcFail(ctx, 429, e.getMessage());
        } catch (StoreException e) {
            LOG.warn("store failure on OTLP/gRPC ingest", e);
            grpcFail(ctx, 503, "store unavailable: " + e.getMessage());
        }
    }

    private void grpcFail(Context ctx, int httpStatus, String message) {
        metrics.inc("continuo_requests_rejected_total", "Requests answered with an error, by status.", "status",
                Integer.toString(httpStatus), 1);
        grpcAnswer(ctx, OtlpStatus.grpcCode(httpStatus), message, new byte[0]);
    }

    private static void grpcAnswer(Context ctx, int code, String message, byte[] body) {
        Map<String, String> trailers = Map.of("grpc-status", Integer.toString(code),
                "grpc-message", GrpcFrames.percentEncode(message));
        ctx.res().setTrailerFields(() -> trailers);
        ctx.status(200).contentType(GRPC).result(body);
    }

    private static boolean isJson(Context ctx) {
        String type = lower(ctx.contentType());
        return type != null && type.startsWith(JSON);
    }

    private static void checkMediaType(Context ctx) {
        String type = lower(ctx.contentType());
        if (type != null && !type.isEmpty() && !type.startsWith(PROTOBUF) && !type.startsWith("application/protobuf")
                && !type.startsWith("application/octet-stream") && !type.startsWith(JSON)) {
            throw new ApiException(415, "unsupported Content-Type '" + Strings.abbreviate(type, 60) + "': expected "
                    + PROTOBUF + " or " + JSON);
        }
        String encoding = lower(ctx.header("Content-Encoding"));
        if (encoding != null && !encoding.isEmpty() && !encoding.equals("gzip") && !encoding.equals("identity")) {
            throw new ApiException(415, "unsupported Content-Encoding '" + Strings.abbreviate(encoding, 40) + "': expected gzip or none");
        }
    }

    /** A JSON body gunzipped (by magic, whatever the header says) under maxDecompressedBytes. */
    private byte[] gunzip(byte[] raw) {
        try {
            return Gzip.maybeDecompress(raw, decoder.limits(), OtlpProfilesReader.FORMAT);
        } catch (ProfileFormatException e) {
            boolean tooLarge = e.reason() != null && e.reason().contains("exceeds maxDecompressedBytes");
            metrics.inc("continuo_ingest_rejected_total", "Rejected ingest requests by reason.", "reason", tooLarge ? "too_large" : e.format(), 1);
            throw new ApiException(tooLarge ? 413 : 400, e.getMessage(), e);
        }
    }

    private byte[] otlpJson(byte[] json) {
        try {
            return decoder.otlpJson(json);
        } catch (ProfileDecoder.DecodeException e) {
            metrics.inc("continuo_ingest_rejected_total", "Rejected ingest requests by reason.", "reason", e.reason(), 1);
            throw new ApiException(e.status(), e.getMessage(), e);
        }
    }

    /** The body gunzipped under maxDecompressedBytes (by header or by magic) and decoded; 400 when malformed. */
    private OtlpBatch decode(byte[] raw) {
        try {
            return decoder.otlp(raw, config.labelLimits());
        } catch (ProfileDecoder.DecodeException e) {
            metrics.inc("continuo_ingest_rejected_total", "Rejected ingest requests by reason.", "reason", e.reason(), 1);
            throw new ApiException(e.status() == 413 ? 413 : 400, e.getMessage(), e);
        }
    }

    private Result store(String tenant, OtlpBatch batch) {
        int rejected = batch.rejectedProfiles();
        List<String> reasons = new ArrayList<>(batch.rejections());
        for (OtlpProfile p : batch.profiles()) {
            long[] window = window(p.profile());
            try {
                ingest.ingest(tenant, p.labels(), p.profile(), window[0], window[1]);
            } catch (ValidationException e) {
                rejected++;
                if (reasons.size() < 8) {
                    reasons.add("service '" + Strings.abbreviate(p.labels().get("service"), 60) + "': " + e.getMessage());
                }
            }
        }
        metrics.inc("continuo_ingest_requests_total", "Accepted ingest requests by API.", "api", "otlp", 1);
        if (batch.profiles().isEmpty() && rejected == 0) {
            // nothing to store and nothing refused: say so (partial_success with 0 rejected is OTLP's warning)
            metrics.inc("continuo_ingest_rejected_total", "Rejected ingest requests by reason.", "reason", ProfileDecoder.NO_SAMPLES, 1);
            reasons.add("the request holds no samples with a non-zero value: nothing was stored");
        }
        if (rejected > 0) {
            metrics.inc("continuo_ingest_rejected_total", "Rejected ingest requests by reason.", "reason", "otlp_profile", rejected);
        }
        return new Result(rejected, String.join("; ", reasons));
    }

    /** The profile's own time (OTLP senders stamp real collection times), else its duration ending now. */
    private long[] window(Profile profile) {
        long duration = profile.durationNanos() > 0 ? profile.durationNanos() : DEFAULT_WINDOW_NANOS;
        long from = profile.startNanos() > 0 ? profile.startNanos() / 1_000_000 : time.nowMillis() - duration / 1_000_000;
        return new long[]{from, from + duration / 1_000_000};
    }

    /** OTLP/HTTP answers in the request's encoding. */
    private void respond(Context ctx, boolean json, Result result) {
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (result.rejected > 0 || !result.message.isEmpty()) {
                // proto3 JSON writes int64 as a string
                body.put("partialSuccess", Map.of("rejectedProfiles", Long.toString(result.rejected), "errorMessage", result.message));
            }
            ctx.status(200).json(body);
            return;
        }
        ctx.status(200).contentType(PROTOBUF).result(response(result).toByteArray());
    }

    private static ExportProfilesServiceResponse response(Result result) {
        ExportProfilesServiceResponse.Builder response = ExportProfilesServiceResponse.newBuilder();
        if (result.rejected > 0 || !result.message.isEmpty()) {
            response.setPartialSuccess(ExportProfilesPartialSuccess.newBuilder()
                    .setRejectedProfiles(result.rejected).setErrorMessage(result.message));
        }
        return response.build();
    }

    private void fail(Context ctx, boolean json, int status, String message) {
        metrics.inc("continuo_requests_rejected_total", "Requests answered with an error, by status.", "status",
                Integer.toString(status), 1);
        if (json) {
            ctx.status(status).json(Map.of("code", OtlpStatus.grpcCode(status), "message", message == null ? "" : message));
        } else {
            ctx.status(status).contentType(PROTOBUF).result(OtlpStatus.encode(status, message));
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT).trim();
    }

    private record Result(int rejected, String message) {
    }
}
