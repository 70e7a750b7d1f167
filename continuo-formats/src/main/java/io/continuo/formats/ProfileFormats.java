package io.continuo.formats;

import io.continuo.formats.collapsed.CollapsedReader;
import io.continuo.formats.jfr.JfrReader;
import io.continuo.formats.pprof.PprofReader;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.Strings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * The registry of profile body formats: how each is recognised and decoded. Every upload goes through
 * {@link #decode}: format by name or detected, decoded under the limits, then {@link SampleValues#check checked} the
 * same way for all. To add a format, add a {@link Format} to {@link #FORMATS} (its sniffing predicate and decoder)
 * and a test; the server maps HTTP onto this and knows no format by name.
 *
 * <p>Envelope formats that carry profiles of these kinds live beside it: OTLP ({@code otlp.OtlpProfilesReader},
 * protobuf or JSON) and Pyroscope's Connect push ({@code pyroscope.PyroscopeProtos}, protobuf or JSON), whose raw
 * profiles are pprof bodies decoded here.
 */
public final class ProfileFormats {
    /** What decoders need beyond the bytes. */
    public record Options(DecodeLimits limits, ProfileType textType, long textMultiplier, LongFunction<Labels> jfrContexts) {
        public Options {
            if (limits == null) {
                limits = DecodeLimits.DEFAULT;
            }
            if (textType == null) {
                textType = ProfileType.CPU;
            }
            if (textMultiplier < 1) {
                throw new IllegalArgumentException("textMultiplier must be >= 1, got " + textMultiplier);
            }
        }

        public static Options of(DecodeLimits limits) {
            return new Options(limits, ProfileType.CPU, 1, null);
        }
    }

    @FunctionalInterface
    public interface Decoder {
        List<Profile> decode(byte[] body, Options options);
    }

    /**
     * One format: its name, other names clients use for it, a test on the first bytes (gunzipped) that recognises
     * it (null: only by name), and its decoder.
     */
    public record Format(String name, List<String> aliases, Predicate<byte[]> sniff, Decoder decoder) {
        boolean named(String n) {
            return name.equals(n) || aliases.contains(n);
        }
    }

    private static final byte[] JFR_MAGIC = {'F', 'L', 'R', 0};
    private static final int SNIFF_BYTES = 512;

    public static final Format JFR = new Format(JfrReader.FORMAT, List.of(),
            head -> startsWith(head, JFR_MAGIC),
            (body, o) -> JfrReader.read(body, o.limits(), o.jfrContexts()));
    public static final Format COLLAPSED = new Format(CollapsedReader.FORMAT, List.of("folded"),
            ProfileFormats::looksLikeCollapsed,
            (body, o) -> List.of(scale(CollapsedReader.read(body, o.textType(), o.limits()), o.textMultiplier())));
    /** Pyroscope's {@code lines}: one stack per line, each counting 1; never detected (a stack looks like collapsed). */
    public static final Format LINES = new Format("lines", List.of(), null,
            (body, o) -> List.of(scale(CollapsedReader.readLines(body, o.textType(), o.limits()), o.textMultiplier())));
    /** Last: protobuf has no magic, so whatever is neither JFR nor text is taken as pprof. */
    public static final Format PPROF = new Format(PprofReader.FORMAT, List.of(), head -> true,
            (body, o) -> List.of(PprofReader.read(body, o.limits())));

    /** In sniffing order. */
    private static final List<Format> FORMATS = List.of(JFR, COLLAPSED, LINES, PPROF);

    private ProfileFormats() {
    }

    public static List<Format> all() {
        return FORMATS;
    }

    /** The names accepted by {@link #byName}, for error messages and docs. */
    public static String names() {
        List<String> names = new ArrayList<>();
        for (Format f : FORMATS) {
            names.add(f.name());
            names.addAll(f.aliases());
        }
        return String.join(", ", names);
    }

    /** @throws ProfileFormatException (format {@code format}) for an unknown name */
    public static Format byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Format f : FORMATS) {
            if (f.named(n)) {
                return f;
            }
        }
        throw new ProfileFormatException("format", ProfileFormatException.UNKNOWN_OFFSET, "unsupported format '"
                + Strings.abbreviate(name, 40) + "': expected one of " + names());
    }

    /** The format of a body (gzipped or not), by its first bytes. */
    public static Format detect(byte[] body, DecodeLimits limits) {
        byte[] head = Gzip.isGzip(body) ? Gzip.maybeDecompress(body, limits, Gzip.FORMAT) : body;
        for (Format f : FORMATS) {
            if (f.sniff() != null && f.sniff().test(head)) {
                return f;
            }
        }
        return PPROF;
    }

    /**
     * Decodes a body in the named format ({@code null} or blank: detected) and checks its values.
     *
     * @throws ProfileFormatException when the body is not a valid profile of that format, has negative or
     *                                too large values, or ({@link NoSamplesException}) nothing to store
     */
    public static List<Profile> decode(String formatName, byte[] body, Options options) {
        Format format = formatName == null || formatName.isBlank() ? detect(body, options.limits()) : byName(formatName);
        return decode(format, body, options);
    }

    public static List<Profile> decode(Format format, byte[] body, Options options) {
        List<Profile> profiles;
        try {
            profiles = format.decoder().decode(body, options);
        } catch (ArithmeticException e) {
            throw new ProfileFormatException(format.name(), ProfileFormatException.UNKNOWN_OFFSET,
                    "sample values overflow 64 bits", e);
        }
        SampleValues.check(format.name(), profiles);
        return profiles;
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

    /** Printable text whose first line ends in a number after a space: {@code a;b;c 12}. */
    private static boolean looksLikeCollapsed(byte[] b) {
        int n = Math.min(b.length, SNIFF_BYTES);
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b)) {
                return false;
            }
        }
        return new String(b, 0, n, StandardCharsets.UTF_8).matches("(?s)[^\\n]*\\s\\d+\\s*(\\n.*)?");
    }

    /** A copy with every value multiplied: sample counts become nanoseconds. Overflow throws ArithmeticException. */
    static Profile scale(Profile p, long multiplier) {
        if (multiplier == 1) {
            return p;
        }
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
}
