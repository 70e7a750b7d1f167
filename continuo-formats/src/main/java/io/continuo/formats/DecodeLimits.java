package io.continuo.formats;

/**
 * Bounds every decoder applies to untrusted input, so that a hostile or broken upload fails fast with a
 * {@link ProfileFormatException} instead of exhausting memory or CPU. Immutable; validated on construction.
 *
 * @param maxDecompressedBytes largest decoded payload in bytes, after gunzip (default 64 MiB); also bounds raw input
 * @param maxStackDepth        most frames in one stack, inlined frames included (default 4096)
 * @param maxSamples           most samples (pprof sample messages, JFR events, collapsed lines) (default 2,000,000)
 * @param maxStrings           most entries in a string table (default 1,000,000)
 * @param maxSymbols           most functions, locations or mappings, each (default 1,000,000)
 * @param maxLabelsPerSample   most labels on one sample (default 32)
 */
public record DecodeLimits(long maxDecompressedBytes, int maxStackDepth, int maxSamples, int maxStrings,
                           int maxSymbols, int maxLabelsPerSample) {

    public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 64L << 20;
    public static final int DEFAULT_MAX_STACK_DEPTH = 4096;
    public static final int DEFAULT_MAX_SAMPLES = 2_000_000;
    public static final int DEFAULT_MAX_STRINGS = 1_000_000;
    public static final int DEFAULT_MAX_SYMBOLS = 1_000_000;
    public static final int DEFAULT_MAX_LABELS_PER_SAMPLE = 32;

    /** Decoded payloads are held in one byte array, so they cannot exceed what a Java array holds. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    /** Deeper than this the JFR and pprof specs themselves do not go; a bigger limit is a configuration mistake. */
    private static final int MAX_STACK_DEPTH_CEILING = 1 << 20;

    public static final DecodeLimits DEFAULT = new DecodeLimits(DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_STACK_DEPTH,
            DEFAULT_MAX_SAMPLES, DEFAULT_MAX_STRINGS, DEFAULT_MAX_SYMBOLS, DEFAULT_MAX_LABELS_PER_SAMPLE);

    public DecodeLimits {
        check("maxDecompressedBytes", maxDecompressedBytes, 1, MAX_ARRAY_BYTES);
        check("maxStackDepth", maxStackDepth, 1, MAX_STACK_DEPTH_CEILING);
        check("maxSamples", maxSamples, 1, Integer.MAX_VALUE);
        check("maxStrings", maxStrings, 1, Integer.MAX_VALUE);
        check("maxSymbols", maxSymbols, 1, Integer.MAX_VALUE);
        check("maxLabelsPerSample", maxLabelsPerSample, 0, 1024);
    }

    private static void check(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("DecodeLimits." + field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    public DecodeLimits withMaxDecompressedBytes(long v) {
        return new DecodeLimits(v, maxStackDepth, maxSamples, maxStrings, maxSymbols, maxLabelsPerSample);
    }

    public DecodeLimits withMaxStackDepth(int v) {
        return new DecodeLimits(maxDecompressedBytes, v, maxSamples, maxStrings, maxSymbols, maxLabelsPerSample);
    }

    public DecodeLimits withMaxSamples(int v) {
        return new DecodeLimits(maxDecompressedBytes, maxStackDepth, v, maxStrings, maxSymbols, maxLabelsPerSample);
    }

    public DecodeLimits withMaxStrings(int v) {
        return new DecodeLimits(maxDecompressedBytes, maxStackDepth, maxSamples, v, maxSymbols, maxLabelsPerSample);
    }

    public DecodeLimits withMaxSymbols(int v) {
        return new DecodeLimits(maxDecompressedBytes, maxStackDepth, maxSamples, maxStrings, v, maxLabelsPerSample);
    }

    public DecodeLimits withMaxLabelsPerSample(int v) {
        return new DecodeLimits(maxDecompressedBytes, maxStackDepth, maxSamples, maxStrings, maxSymbols, v);
    }
}
