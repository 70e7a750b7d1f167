package io.continuo.server.ingest;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.NoSamplesException;
import io.continuo.formats.ProfileFormats;
import io.continuo.formats.otlp.OtlpBatch;
import io.continuo.formats.otlp.OtlpProfilesReader;
import io.continuo.formats.otlp.OtlpJson;
import io.continuo.formats.pyroscope.PushJson;
import io.continuo.formats.pyroscope.PyroscopeProtos;
import io.continuo.formats.pyroscope.RawSeries;
import io.continuo.model.LabelLimits;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import io.continuo.model.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Decodes uploaded bytes with continuo-formats under the server's limits, turning every decoding failure into a
 * {@link DecodeException} that carries the HTTP status to answer (413 past a size limit, else 422).
 */
public final class ProfileDecoder {
    /** {@link DecodeException#reason()} of a well-formed upload with nothing to store. */
    public static final String NO_SAMPLES = "no_samples";

    private final DecodeLimits limits;

    public ProfileDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** One series of a Connect push: its labels (service_name already mapped to service) and raw pprof bodies. */
    public record PushSeries(Labels labels, List<byte[]> rawProfiles) {
    }

    /** A failed decode: 413 when a size bound was crossed, 422 when the bytes are not a valid profile. */
    public static final class DecodeException extends RuntimeException {
        private final int status;
        private final String reason;

        DecodeException(int status, String reason, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.reason = reason;
        }

        public int status() {
            return status;
        }

        /** Short label for the rejection metric. */
        public String reason() {
            return reason;
        }
    }

    /**
     * Decodes a body through the formats registry ({@link ProfileFormats}): by format name ({@code pprof},
     * {@code jfr}, {@code collapsed}/{@code folded}, {@code lines}) or, with none, detected; values checked.
     */
    public List<Profile> decode(String format, byte[] body, ProfileType textType, long textMultiplier,
                                LongFunction<Labels> jfrContexts) {
        // Without a labels snapshot, JFR context ids are dropped rather than turned into labels: they mean nothing alone
        LongFunction<Labels> contexts = jfrContexts == null ? id -> Labels.EMPTY : jfrContexts;
        ProfileFormats.Options options = new ProfileFormats.Options(limits, textType, textMultiplier, contexts);
        return guard(() -> ProfileFormats.decode(format, body, options));
    }

    /** An OTLP profiles export request (gzipped or not), its labels bounded by the server's label limits. */
    public OtlpBatch otlp(byte[] body, LabelLimits labelLimits) {
        return guard(() -> OtlpProfilesReader.read(body, limits, labelLimits));
    }

    /** One pprof body (a Connect push's raw profile, a multipart 'profile' part). */
    public Profile pprof(byte[] body) {
        return decode(ProfileFormats.PPROF.name(), body, ProfileType.CPU, 1, null).get(0);
    }

    /** JFR from the JDK, async-profiler or the Pyroscope agent: one profile per event family. */
    public List<Profile> jfr(byte[] body, LongFunction<Labels> contexts) {
        return decode(ProfileFormats.JFR.name(), body, ProfileType.CPU, 1, contexts);
    }

    public LongFunction<Labels> labelsSnapshot(byte[] body) {
        return guard(() -> PyroscopeProtos.readLabelsSnapshot(body, limits)).asFunction();
    }

    /** A Connect push in JSON: like {@link #pushRequest}, but a malformed body is a 400 as Connect's own errors are. */
    public List<PushSeries> pushRequestJson(byte[] body) {
        List<RawSeries> raw;
        try {
            raw = guard(() -> PushJson.read(body, limits));
        } catch (DecodeException e) {
            throw e.status() == 413 ? e : new DecodeException(400, PushJson.FORMAT, e.getMessage(), e.getCause());
        }
        return pushSeries(raw);
    }

    /** An OTLP/JSON export request as its binary form; 400 (OTLP's status for bad data) when malformed. */
    public byte[] otlpJson(byte[] json) {
        try {
            return OtlpJson.toProtobuf(json);
        } catch (ProfileFormatException e) {
            throw new DecodeException(400, OtlpJson.FORMAT, e.getMessage(), e);
        }
    }

    public List<PushSeries> pushRequest(byte[] body) {
        return pushSeries(guard(() -> PyroscopeProtos.readPushRequest(body, limits)));
    }

    private static List<PushSeries> pushSeries(List<RawSeries> raw) {
        List<PushSeries> out = new ArrayList<>(raw.size());
        for (RawSeries series : raw) {
            Labels.Builder labels = Labels.builder();
            try {
                series.labels().forEach((name, value) -> putPushLabel(labels, name, value));
            } catch (ValidationException e) {
                throw new DecodeException(400, "labels", e.getMessage(), e);
            }
            out.add(new PushSeries(labels.build(), series.profiles()));
        }
        return out;
    }

    /** Maps Pyroscope's push label names onto ours: service_name is the service; reserved __x__ names are dropped. */
    static void putPushLabel(Labels.Builder labels, String name, String value) {
        if (name.equals("service_name")) {
            labels.put(Labels.SERVICE, value);
        } else if (!(name.startsWith("__") && name.endsWith("__"))) {
            labels.put(name, value);
        }
    }

    private static <T> T guard(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (NoSamplesException e) {
            throw new DecodeException(422, NO_SAMPLES, e.getMessage(), e);
        } catch (ProfileFormatException e) {
            boolean tooLarge = e.reason() != null && e.reason().contains("exceeds maxDecompressedBytes");
            throw new DecodeException(tooLarge ? 413 : 422, tooLarge ? "too_large" : e.format(), e.getMessage(), e);
        } catch (ValidationException e) {
            throw new DecodeException(422, "invalid", e.getMessage(), e);
        }
    }
}
