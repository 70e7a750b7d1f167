package io.continuo.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import io.continuo.model.Strings;
import io.continuo.model.ValidationException;
import io.continuo.server.ServerConfig;
import io.continuo.server.http.Access;
import io.continuo.server.http.ApiException;
import io.continuo.server.http.BoundedBody;
import io.continuo.server.http.Json;
import io.continuo.server.http.RequestContext;
import io.continuo.server.http.TimeParser;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.store.MetricPoint;
import io.continuo.store.ProfileStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Every way profiles come in: the native API, Pyroscope's /ingest (so unmodified Pyroscope agents and SDKs work
 * by changing only the address), Pyroscope's Connect push API, OpenTelemetry's OTLP/HTTP profiles
 * ({@link OtlpProfilesHandler}, which answers in OTLP's own way), and runtime metrics. Answers as Pyroscope does:
 * 200 stored, 400 bad metadata, 413 too large, 422 undecodable profile, 429 rate-limited.
 */
public final class IngestApi {
    private static final Set<String> NATIVE_RESERVED = Set.of("service", "name", "format", "from", "until", "type",
            "sampleRate", "units", "spyName", "aggregationType", "unit");
    private static final String LABELS_HEADER = "Continuo-Labels";
    private static final long DEFAULT_WINDOW_MILLIS = 10_000;
    private static final int DEFAULT_SAMPLE_RATE = 100;
    private static final int MAX_METRIC_POINTS = 10_000;

    private final ServerConfig config;
    private final ProfileDecoder decoder;
    private final IngestService ingest;
    private final ProfileStore store;
    private final TimeParser time;
    private final ServerMetrics metrics;
    private final RateLimiter rateLimiter;

    public IngestApi(ServerConfig config, ProfileDecoder decoder, IngestService ingest, ProfileStore store,
                     TimeParser time, ServerMetrics metrics) {
        this.config = config;
        this.decoder = decoder;
        this.ingest = ingest;
        this.store = store;
        this.time = time;
        this.metrics = metrics;
        this.rateLimiter = new RateLimiter(config.ingestRatePerSecond(), time);
    }

    public void register(RoutesConfig app) {
        app.post("/api/v1/ingest", this::nativeIngest);
        app.post("/api/v1/ingest/metrics", this::metricsIngest);
        app.post("/ingest", this::pyroscopeIngest);
        app.post("/pyroscope/ingest", this::pyroscopeIngest);
        app.post("/push.v1.PusherService/Push", this::push);
        OtlpProfilesHandler otlp = new OtlpProfilesHandler(config, decoder, ingest, time, metrics, this::body);
        // OTLP checks keys itself, to refuse in OTLP's encoding (a Status message, gRPC trailers)
        app.post(OtlpProfilesHandler.PATH, otlp::handle, Access.OWN_AUTH);
        app.post(OtlpProfilesHandler.GRPC_PATH, otlp::handleGrpc, Access.OWN_AUTH);
    }

    private byte[] body(Context ctx) {
        rateLimiter.acquire(RequestContext.tenant(ctx));
        // within the server's upload budget (slots and decode memory), held until the request ends
        return BoundedBody.read(ctx, config.maxBodyBytes());
    }

    private void nativeIngest(Context ctx) {
        Labels labels = nativeLabels(ctx);
        byte[] body = body(ctx);
        String format = ctx.queryParam("format");
        ProfileType textType = ProfileType.fromPprof(
                ctx.queryParamAsClass("type", String.class).getOrDefault("cpu"),
                ctx.queryParam("unit"));
        long multiplier = textMultiplier(ctx, textType);
        List<Profile> profiles = decode(() -> decoder.decode(format, body, textType, multiplier, null));
        store(ctx, labels, profiles, "native");
    }

    private Labels nativeLabels(Context ctx) {
        Labels.Builder b = Labels.builder();
        try {
            String header = ctx.header(LABELS_HEADER);
            if (header != null) {
                for (String pair : header.split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw ApiException.badRequest("invalid " + LABELS_HEADER + " entry '" + Strings.abbreviate(pair, 60) + "': expected key=value");
                    }
                    b.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            Map<String, List<String>> params = ctx.queryParamMap();
            if (params.size() > config.labelLimits().maxLabels() + NATIVE_RESERVED.size()) {
                throw ApiException.badRequest("too many labels: " + params.size() + " query parameters (limit "
                        + config.labelLimits().maxLabels() + " labels)");
            }
            for (Map.Entry<String, List<String>> e : params.entrySet()) {
                if (!NATIVE_RESERVED.contains(e.getKey()) && !e.getValue().isEmpty()) {
                    b.put(e.getKey(), e.getValue().get(0));
                }
            }
            String service = ctx.queryParam("service");
            String name = ctx.queryParam("name");
            if ((service == null || service.isBlank()) && name != null) {
                b.putAll(PyroscopeName.parse(name).labels());
            } else if (service != null) {
                b.put(Labels.SERVICE, service);
            }
            Labels labels = b.build();
            if (labels.get(Labels.SERVICE) == null) {
                throw ApiException.badRequest("missing 'service' parameter");
            }
            return config.labelLimits().check(labels);
        } catch (ValidationException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private long textMultiplier(Context ctx, ProfileType type) {
        String units = ctx.queryParam("units");
        String rate = ctx.queryParam("sampleRate");
        boolean samples = "samples".equals(units) || (rate != null && type.equals(ProfileType.CPU) && !"nanoseconds".equals(units));
        if (!samples || !type.unit().equals(ProfileType.NANOSECONDS)) {
            return 1;
        }
        int sampleRate = parseSampleRate(rate);
        return 1_000_000_000L / sampleRate;
    }

    private static int parseSampleRate(String rate) {
        if (rate == null || rate.isBlank()) {
            return DEFAULT_SAMPLE_RATE;
        }
        try {
            int r = Integer.parseInt(rate.trim());
            if (r < 1 || r > 1_000_000_000) {
                throw ApiException.badRequest("'sampleRate' must be between 1 and 1000000000, got " + r);
            }
            return r;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'sampleRate' must be an integer, got '" + Strings.abbreviate(rate, 40) + "'");
        }
    }

    private void pyroscopeIngest(Context ctx) {
        PyroscopeName name;
        try {
            name = PyroscopeName.parse(ctx.queryParam("name"));
            config.labelLimits().check(name.labels());
        } catch (ValidationException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String format = lower(ctx.queryParam("format"));
        int sampleRate = parseSampleRate(ctx.queryParam("sampleRate"));
        byte[] body = body(ctx);
        String contentType = ctx.contentType();
        ProfileType textType = name.typeHint() == null ? ProfileType.CPU : ProfileType.fromPprof(name.typeHint(), null);
        long multiplier = textType.equals(ProfileType.CPU) ? 1_000_000_000L / sampleRate : 1;
        List<Profile> profiles;
        if (Multipart.isMultipart(contentType)) {
            List<Multipart.Part> parts = Multipart.parse(contentType, body);
            Multipart.Part jfr = part(parts, "jfr");
            if (jfr != null || "jfr".equals(format)) {
                if (jfr == null) {
                    throw ApiException.badRequest("multipart JFR upload without a 'jfr' part");
                }
                Multipart.Part labelsPart = part(parts, "labels");
                LongFunction<Labels> contexts = labelsPart == null ? null : decode(() -> decoder.labelsSnapshot(labelsPart.body()));
                profiles = decode(() -> decoder.jfr(jfr.body(), contexts));
            } else {
                Multipart.Part profile = part(parts, "profile");
                if (profile == null) {
                    throw ApiException.badRequest("multipart upload without a 'profile' part");
                }
                profiles = decode(() -> List.of(decoder.pprof(profile.body())));
            }
        } else {
            // format named or (none given) detected by the formats registry; unknown names answer 422
            profiles = decode(() -> decoder.decode(format, body, textType, multiplier, null));
        }
        store(ctx, name.labels(), profiles, "pyroscope");
    }

    private static Multipart.Part part(List<Multipart.Part> parts, String name) {
        for (Multipart.Part p : parts) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    private void push(Context ctx) {
        byte[] body = body(ctx);
        String contentType = lower(ctx.contentType());
        boolean json = contentType != null && contentType.contains("json");
        List<ProfileDecoder.PushSeries> series = decode(() -> json ? decoder.pushRequestJson(body) : decoder.pushRequest(body));
        int stored = 0;
        ProfileDecoder.DecodeException empty = null;
        for (ProfileDecoder.PushSeries s : series) {
            Labels labels;
            try {
                labels = config.labelLimits().check(s.labels());
            } catch (ValidationException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            if (labels.get(Labels.SERVICE) == null) {
                throw ApiException.badRequest("push series without 'service_name' label");
            }
            for (byte[] raw : s.rawProfiles()) {
                Profile profile;
                try {
                    profile = decoder.pprof(raw);
                } catch (ProfileDecoder.DecodeException e) {
                    if (e.reason().equals(ProfileDecoder.NO_SAMPLES)) {
                        // one idle series among others is not an error; a push with nothing at all is (below)
                        empty = e;
                        continue;
                    }
                    throw decodeFailure(e);
                }
                stored++;
                long until = profile.startNanos() > 0 ? (profile.startNanos() + profile.durationNanos()) / 1_000_000 : time.nowMillis();
                long from = profile.startNanos() > 0 ? profile.startNanos() / 1_000_000 : until - DEFAULT_WINDOW_MILLIS;
                storeOne(RequestContext.tenant(ctx), labels, profile, from, until);
            }
        }
        if (stored == 0 && empty != null) {
            throw decodeFailure(empty);
        }
        metrics.inc("continuo_ingest_requests_total", "Accepted ingest requests by API.", "api", "push", 1);
        if (json) {
            ctx.contentType("application/json").result("{}");
        } else {
            ctx.contentType("application/proto").result(new byte[0]);
        }
    }

    private void metricsIngest(Context ctx) {
        Labels labels = nativeLabels(ctx);
        byte[] body = body(ctx);
        List<MetricPoint> points = new ArrayList<>();
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            for (JsonNode point : root.path("points")) {
                long ts = time.parseMillis("timestamp", point.path("timestamp").asText(), time.nowMillis());
                Iterator<Map.Entry<String, JsonNode>> fields = point.path("values").fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    if (!Labels.isValidName(f.getKey()) || f.getKey().length() > 128) {
                        throw ApiException.badRequest("invalid metric name '" + Strings.abbreviate(f.getKey(), 60) + "'");
                    }
                    if (!f.getValue().isNumber()) {
                        throw ApiException.badRequest("metric '" + f.getKey() + "' is not a number");
                    }
                    points.add(new MetricPoint(f.getKey(), ts, f.getValue().asDouble()));
                    if (points.size() > MAX_METRIC_POINTS) {
                        throw ApiException.tooLarge("too many metric points (limit " + MAX_METRIC_POINTS + ")");
                    }
                }
            }
        } catch (IOException e) {
            throw ApiException.badRequest("invalid metrics JSON: " + e.getMessage());
        }
        store.writeMetrics(RequestContext.tenant(ctx), labels, points);
        metrics.inc("continuo_ingested_metric_points_total", "Runtime metric points stored.", points.size());
        ctx.json(Map.of("points", points.size()));
    }

    private void store(Context ctx, Labels labels, List<Profile> profiles, String api) {
        String tenant = RequestContext.tenant(ctx);
        long rows = 0;
        for (Profile profile : profiles) {
            long[] window = window(ctx, profile);
            rows += storeOne(tenant, labels, profile, window[0], window[1]);
        }
        metrics.inc("continuo_ingest_requests_total", "Accepted ingest requests by API.", "api", api, 1);
        ctx.json(Map.of("profiles", profiles.size(), "rows", rows));
    }

    private long storeOne(String tenant, Labels labels, Profile profile, long from, long until) {
        try {
            return ingest.ingest(tenant, labels, profile, from, until);
        } catch (ValidationException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /**
     * The profiled window: from/until parameters when given, else the profile's duration ending now (a file's own
     * timestamps may be years old; Pyroscope's ingest does the same).
     */
    private long[] window(Context ctx, Profile profile) {
        long ownDuration = profile.durationNanos() / 1_000_000;
        TimeParser.Range r = time.range("from", ctx.queryParam("from"), "until", ctx.queryParam("until"),
                ownDuration > 0 ? ownDuration : DEFAULT_WINDOW_MILLIS, 0, true);
        return new long[]{r.from(), r.until()};
    }

    private <T> T decode(ThrowingSupplier<T> work) {
        try {
            return work.get();
        } catch (ApiException e) {
            throw e;
        } catch (ProfileDecoder.DecodeException e) {
            throw decodeFailure(e);
        }
    }

    private ApiException decodeFailure(ProfileDecoder.DecodeException e) {
        metrics.inc("continuo_ingest_rejected_total", "Rejected ingest requests by reason.", "reason", e.reason(), 1);
        return new ApiException(e.status(), e.getMessage(), e);
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT).trim();
    }
}
