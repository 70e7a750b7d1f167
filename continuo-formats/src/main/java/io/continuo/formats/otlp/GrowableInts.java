package io.continuo.formats.otlp;

import java.util.Arrays;

/** An append-only int array for dictionary tables, so they need no boxing. */
final class GrowableInts {
    private int[] values = new int[16];
    private int size;

    void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    int get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }
}
