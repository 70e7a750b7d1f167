package io.continuo.server.ingest;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.formats.collapsed.CollapsedReader;
import io.continuo.formats.jfr.JfrReader;
import io.continuo.formats.otlp.OtlpBatch;
import io.continuo.formats.otlp.OtlpProfilesReader;
import io.continuo.formats.pprof.PprofReader;
import io.continuo.formats.pyroscope.PyroscopeProtos;
import io.continuo.formats.pyroscope.RawSeries;
import io.continuo.model.LabelLimits;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import io.continuo.model.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Decodes uploaded bytes with continuo-formats under the server's limits, turning every decoding failure into a
 * {@link DecodeException} that carries the HTTP status to answer (413 past a size limit, else 422).
 */
public final class ProfileDecoder {
    private static final byte[] JFR_MAGIC = {'F', 'L', 'R', 0};

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
     * Decodes by format name ({@code pprof}, {@code jfr}, {@code collapsed}/{@code folded}, {@code lines}); with no
     * format, sniffs: JFR magic, then gzip or protobuf as pprof, then text as collapsed.
     */
    public List<Profile> decode(String format, byte[] body, ProfileType textType, long textMultiplier,
                                LongFunction<Labels> jfrContexts) {
        String f = format == null ? sniff(body) : format.toLowerCase(Locale.ROOT);
        return switch (f) {
            case "pprof" -> List.of(pprof(body));
            case "jfr" -> jfr(body, jfrContexts);
            case "collapsed", "folded" -> List.of(collapsed(body, textType, textMultiplier, false));
            case "lines" -> List.of(collapsed(body, textType, textMultiplier, true));
            default -> throw new DecodeException(422, "format", "unsupported format '" + io.continuo.model.Strings.abbreviate(f, 40)
                    + "': expected pprof, jfr, collapsed, folded or lines", null);
        };
    }

    private String sniff(byte[] body) {
        if (startsWith(body, JFR_MAGIC)) {
            return "jfr";
        }
        if (Gzip.isGzip(body)) {
            byte[] plain = guard(() -> Gzip.maybeDecompress(body, limits, "gzip"));
            return startsWith(plain, JFR_MAGIC) ? "jfr" : looksLikeText(plain) ? "collapsed" : "pprof";
        }
        return looksLikeText(body) ? "collapsed" : "pprof";
    }

    private static boolean looksLikeText(byte[] b) {
        int n = Math.min(b.length, 512);
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b)) {
                return false;
            }
        }
        // collapsed lines end in a number after a space
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8).matches("(?s)[^\\n]*\\s\\d+\\s*(\\n.*)?");
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** An OTLP profiles export request (gzipped or not), its labels bounded by the server's label limits. */
    public OtlpBatch otlp(byte[] body, LabelLimits labelLimits) {
        return guard(() -> OtlpProfilesReader.read(body, limits, labelLimits));
    }

    public Profile pprof(byte[] body) {
        return guard(() -> PprofReader.read(body, limits));
    }

    /**
     * JFR from the JDK, async-profiler or the Pyroscope agent: one profile per event family. Without a labels
     * snapshot, context ids are dropped rather than turned into labels: they mean nothing on their own.
     */
    public List<Profile> jfr(byte[] body, LongFunction<Labels> contexts) {
        LongFunction<Labels> hook = contexts == null ? id -> Labels.EMPTY : contexts;
        return guard(() -> JfrReader.read(body, limits, hook));
    }

    /** Collapsed ({@code a;b;c 12}) or Pyroscope lines (one stack per line), values times {@code multiplier}. */
    public Profile collapsed(byte[] body, ProfileType type, long multiplier, boolean lines) {
        Profile p = guard(() -> lines ? CollapsedReader.readLines(body, type, limits) : CollapsedReader.read(body, type, limits));
        return multiplier == 1 ? p : scale(p, multiplier);
    }

    public LongFunction<Labels> labelsSnapshot(byte[] body) {
        return guard(() -> PyroscopeProtos.readLabelsSnapshot(body, limits)).asFunction();
    }

    public List<PushSeries> pushRequest(byte[] body) {
        List<RawSeries> raw = guard(() -> PyroscopeProtos.readPushRequest(body, limits));
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

    /** A copy with every value multiplied: sample counts become nanoseconds. */
    static Profile scale(Profile p, long multiplier) {
        ProfileBuilder b = new ProfileBuilder(p.types(), Integer.MAX_VALUE).window(p.startNanos(), p.durationNanos())
                .period(p.periodNanos());
        int[] frameMap = new int[p.frames().size()];
        for (int f = 0; f < frameMap.length; f++) {
            frameMap[f] = b.frame(p.frames().get(f));
        }
        int[] path = new int[64];
        long[] values = new long[p.types().size()];
        for (int s = 0; s < p.sampleCount(); s++) {
            int depth = p.stacks().depth(p.stack(s));
            if (path.length < depth) {
                path = new int[depth];
            }
            p.stacks().framesRootFirst(p.stack(s), path);
            for (int i = 0; i < depth; i++) {
                path[i] = frameMap[path[i]];
            }
            for (int t = 0; t < values.length; t++) {
                values[t] = Math.multiplyExact(p.value(s, t), multiplier);
            }
            b.addSample(path, depth, values, p.sampleLabels(s));
        }
        return b.build();
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
        } catch (ProfileFormatException e) {
            boolean tooLarge = e.reason() != null && e.reason().contains("exceeds maxDecompressedBytes");
            throw new DecodeException(tooLarge ? 413 : 422, tooLarge ? "too_large" : e.format(), e.getMessage(), e);
        } catch (ValidationException e) {
            throw new DecodeException(422, "invalid", e.getMessage(), e);
        }
    }
}
