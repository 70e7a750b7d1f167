package io.continuo.store.clickhouse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Rows in ClickHouse's RowBinary format (little-endian fixed-width numbers, strings and arrays prefixed by a LEB128
 * length). Inserts are sent this way, so row data never needs escaping.
 */
final class RowBinaryOutput {
    private final ByteArrayOutputStream out;
    private int rows;

    RowBinaryOutput(int expectedBytes) {
        this.out = new ByteArrayOutputStream(Math.max(64, expectedBytes));
    }

    RowBinaryOutput int64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    RowBinaryOutput float64(double v) {
        return int64(Double.doubleToRawLongBits(v));
    }

    RowBinaryOutput string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        varint(bytes.length);
        out.write(bytes, 0, bytes.length);
        return this;
    }

    RowBinaryOutput int64Array(long[] values, int count) {
        varint(count);
        for (int i = 0; i < count; i++) {
            int64(values[i]);
        }
        return this;
    }

    RowBinaryOutput stringArray(String[] values) {
        varint(values.length);
        for (String v : values) {
            string(v);
        }
        return this;
    }

    /** Marks the end of one row (only counted, RowBinary has no row separator). */
    void endRow() {
        rows++;
    }

    int rows() {
        return rows;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void varint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
