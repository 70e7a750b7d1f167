package io.continuo.model;

import java.util.Arrays;

/**
 * An open-addressing map from long keys to non-negative int values, without boxing.
 * Key {@link #FREE} (Long.MIN_VALUE) is reserved. Presize from a known count where possible.
 * <p>
 * Each key sits beside its value in one array, so a hit in a map larger than the CPU's caches costs one memory access
 * rather than two (the store's stack cache holds millions of entries and is probed once per uploaded row). Keys are
 * stored with their sign bit flipped, so the reserved key becomes 0 and a new array is empty without being filled.
 */
public final class LongIntMap {
    public static final long FREE = Long.MIN_VALUE;
    public static final int MISSING = -1;
    private static final long EMPTY = 0L;

    /** Slot i is entries[2i] (the key) and entries[2i + 1] (the value). */
    private long[] entries;
    private int size;
    private int mask;

    public LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    public int size() {
        return size;
    }

    public int get(long key) {
        long[] e = entries;
        long stored = key ^ FREE;
        int i = slot(key);
        while (true) {
            long k = e[i << 1];
            if (k == stored) {
                return (int) e[(i << 1) + 1];
            }
            if (k == EMPTY) {
                return MISSING;
            }
            i = (i + 1) & mask;
        }
    }

    /** Stores the value and returns the previous one, or {@link #MISSING}. */
    public int put(long key, int value) {
        if (key == FREE) {
            throw new IllegalArgumentException("reserved key");
        }
        long[] e = entries;
        long stored = key ^ FREE;
        int i = slot(key);
        while (true) {
            long k = e[i << 1];
            if (k == stored) {
                int old = (int) e[(i << 1) + 1];
                e[(i << 1) + 1] = value;
                return old;
            }
            if (k == EMPTY) {
                e[i << 1] = stored;
                e[(i << 1) + 1] = value;
                if (++size * 2 > mask + 1) {
                    grow();
                }
                return MISSING;
            }
            i = (i + 1) & mask;
        }
    }

    public void clear() {
        Arrays.fill(entries, 0L);
        size = 0;
    }

    private int slot(long key) {
        return (int) Hashing.mix(key) & mask;
    }

    private void allocate(int capacity) {
        entries = new long[capacity * 2];
        mask = capacity - 1;
        size = 0;
    }

    private void grow() {
        long[] old = entries;
        allocate((mask + 1) * 2);
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) {
                put(old[i] ^ FREE, (int) old[i + 1]);
            }
        }
    }
}
