package io.continuo.formats;

import io.continuo.model.Profile;
import java.util.List;

/**
 * The one check every decoded upload passes, whatever its format: values are non-negative, each type's total in
 * one profile stays at or below {@link #MAX_TOTAL}, and something is left to store. Runs in {@link ProfileFormats}
 * after the format's own decoder, so a new format gets it for free.
 *
 * <p>Why 2^53 − 1: flame graphs, tops and time series are read as JSON by JavaScript (the UI) where integers past
 * 2^53 lose precision; a real upload is far below it (2^53 ns is 104 days of CPU in one profile, 2^53 bytes 8 PiB),
 * and keeping each upload there leaves the stores' 64-bit sums 1,024 uploads of headroom per series and step
 * before they saturate.
 */
public final class SampleValues {
    /** Largest total of one sample type in one profile: JavaScript's {@code Number.MAX_SAFE_INTEGER}. */
    public static final long MAX_TOTAL = (1L << 53) - 1;

    private SampleValues() {
    }

    /**
     * @throws ProfileFormatException naming the format, type and value when a value is negative or a total too big
     * @throws NoSamplesException     when no profile has a non-zero value
     */
    public static void check(String format, List<Profile> profiles) {
        boolean any = false;
        for (Profile p : profiles) {
            for (int t = 0; t < p.types().size(); t++) {
                long total = 0;
                for (int s = 0; s < p.sampleCount(); s++) {
                    long v = p.value(s, t);
                    if (v < 0) {
                        throw new ProfileFormatException(format, ProfileFormatException.UNKNOWN_OFFSET, "negative sample value "
                                + v + " of type " + p.types().get(t).name() + ": profile values are amounts (time, bytes, counts)");
                    }
                    total += v; // both terms <= MAX_TOTAL after the check below, so this cannot wrap
                    if (total > MAX_TOTAL || v > MAX_TOTAL) {
                        throw new ProfileFormatException(format, ProfileFormatException.UNKNOWN_OFFSET, "sample values of type "
                                + p.types().get(t).name() + " add up past " + MAX_TOTAL + " (2^53-1) in one profile"
                                + (v > MAX_TOTAL ? " (value " + v + ")" : ""));
                    }
                }
                any |= total > 0;
            }
        }
        if (!any) {
            throw new NoSamplesException(format, profiles.isEmpty() ? "the upload decoded to no profiles"
                    : "the upload has no samples with a non-zero value (" + describe(profiles) + ")");
        }
    }

    private static String describe(List<Profile> profiles) {
        StringBuilder sb = new StringBuilder();
        for (Profile p : profiles) {
            sb.append(sb.length() == 0 ? "" : "; ").append(p.sampleCount()).append(" samples of ");
            for (int t = 0; t < p.types().size(); t++) {
                sb.append(t == 0 ? "" : ", ").append(p.types().get(t));
            }
        }
        return sb.toString();
    }
}
