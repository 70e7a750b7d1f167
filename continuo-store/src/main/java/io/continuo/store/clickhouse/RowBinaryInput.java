package io.continuo.store.clickhouse;

import io.continuo.store.StoreException;

import java.nio.charset.StandardCharsets;

/** Reads a RowBinary response; columns must be read in the order and types the query selected. */
final class RowBinaryInput {
    private final byte[] data;
    private final int length;
    private int pos;

    RowBinaryInput(byte[] data, int length) {
        this.data = data;
        this.length = length;
    }

    boolean hasMore() {
        return pos < length;
    }

    long int64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (data[pos + i] & 0xffL) << (8 * i);
        }
        pos += 8;
        return v;
    }

    double float64() {
        return Double.longBitsToDouble(int64());
    }

    String string() {
        int n = (int) varint();
        need(n);
        String s = new String(data, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    long[] int64Array() {
        int n = (int) varint();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = int64();
        }
        return out;
    }

    String[] stringArray() {
        int n = (int) varint();
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = string();
        }
        return out;
    }

    private long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            int b = data[pos++] & 0xff;
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new StoreException("ClickHouse response: length " + v + " out of range");
                }
                return v;
            }
        }
        throw new StoreException("ClickHouse response: malformed length");
    }

    private void need(int n) {
        if (n < 0 || pos + n > length) {
            throw new StoreException("ClickHouse response ended in the middle of a row (" + length + " bytes)");
        }
    }
}
