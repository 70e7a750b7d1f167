package io.continuo.formats.otlp;

import java.util.Arrays;

/** An append-only long array for dictionary tables, so they need no boxing. */
final class GrowableLongs {
    private long[] values = new long[16];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    long get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }
}
