package io.continuo.model;

import java.util.Arrays;

/**
 * An open-addressing map from long keys to non-negative int values, without boxing.
 * Key {@link #FREE} (Long.MIN_VALUE) is reserved. Presize from a known count where possible.
 */
public final class LongIntMap {
    public static final long FREE = Long.MIN_VALUE;
    public static final int MISSING = -1;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    public LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, FREE);
        mask = capacity - 1;
    }

    public int size() {
        return size;
    }

    public int get(long key) {
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == FREE) {
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
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) {
                int old = values[i];
                values[i] = value;
                return old;
            }
            if (k == FREE) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return MISSING;
            }
            i = (i + 1) & mask;
        }
    }

    public void clear() {
        Arrays.fill(keys, FREE);
        size = 0;
    }

    private int slot(long key) {
        return (int) Hashing.mix(key) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldValues.length * 2];
        Arrays.fill(keys, FREE);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }
}
