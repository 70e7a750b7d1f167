package io.continuo.model;

/**
 * Content hashes that any server computes alike, so replicas agree on frame, stack and series ids
 * without coordination. FNV-1a over the UTF-16 code units, then a MurmurHash3 finaliser to spread the bits.
 */
public final class Hashing {
    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    static final long FNV_OFFSET_FOR_LABELS = FNV_OFFSET ^ 0x5bd1e995L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /** Separates fields so ("ab","c") and ("a","bc") differ. */
    private static final char FIELD_SEPARATOR = '\u0000';

    private Hashing() {
    }

    public static long hash(String s) {
        return mix(update(FNV_OFFSET, s));
    }

    public static long hash(String a, String b) {
        long h = update(FNV_OFFSET, a);
        h = update(h, FIELD_SEPARATOR);
        return mix(update(h, b));
    }

    /** The id of a stack: its parent stack's id combined with its leaf frame's id. The root stack's id is 0. */
    public static long stackId(long parentStackId, long frameId) {
        long h = mix(parentStackId ^ 0x9e3779b97f4a7c15L);
        h = mix(h ^ frameId);
        return h == 0 ? 1 : h;
    }

    public static long combine(long h, long value) {
        return mix(h * 31 + value);
    }

    static long update(long h, String s) {
        if (s == null) {
            return (h ^ 0xff) * FNV_PRIME;
        }
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * FNV_PRIME;
        }
        return h;
    }

    static long update(long h, char c) {
        return (h ^ c) * FNV_PRIME;
    }

    public static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
