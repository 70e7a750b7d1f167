package io.continuo.agent.pprof;

import java.util.Arrays;

/**
 * Open-addressing map from long keys to non-negative int values, linear probing, no boxing.
 * Cleared and reused every interval so steady-state recording does not allocate.
 */
final class LongIntMap {
    static final int MISSING = -1;
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        mask = cap - 1;
        Arrays.fill(keys, EMPTY);
    }

    int size() { return size; }

    int capacity() { return keys.length; }

    void clear() {
        if (size == 0) return;
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    int get(long key) {
        checkKey(key);
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == EMPTY) return MISSING;
            i = (i + 1) & mask;
        }
    }

    /** Returns the existing value, or stores {@code value} and returns MISSING. */
    int putIfAbsent(long key, int value) {
        checkKey(key);
        int i = slot(key);
        while (true) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == EMPTY) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) grow();
                return MISSING;
            }
            i = (i + 1) & mask;
        }
    }

    private static void checkKey(long key) {
        if (key == EMPTY) throw new IllegalArgumentException("Long.MIN_VALUE is reserved as the empty marker");
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        Arrays.fill(keys, EMPTY);
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] == EMPTY) continue;
            int i = slot(oldKeys[j]);
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
        }
    }
}
