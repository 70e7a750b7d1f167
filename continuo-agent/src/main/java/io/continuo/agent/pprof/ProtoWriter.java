package io.continuo.agent.pprof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Minimal protobuf writer: varints and length-delimited fields into one growable, reusable buffer.
 * Nested messages are written into a second writer and copied in, because the length prefix
 * must precede the message and we do not want a sizing pass over every object.
 */
final class ProtoWriter {
    static final int WIRE_VARINT = 0;
    static final int WIRE_LEN = 2;

    private byte[] buf;
    private int pos;

    ProtoWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    void reset() { pos = 0; }

    int size() { return pos; }

    byte[] toByteArray() { return Arrays.copyOf(buf, pos); }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
        }
    }

    void rawVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void tag(int field, int wireType) { rawVarint(((long) field << 3) | wireType); }

    /** Proto3 omits zero scalars; readers treat absence as zero. */
    void uint64(int field, long v) {
        if (v == 0) return;
        tag(field, WIRE_VARINT);
        rawVarint(v);
    }

    /** int64 encodes negatives as 10-byte two's complement varints, as protobuf does. */
    void int64(int field, long v) { uint64(field, v); }

    void bool(int field, boolean v) {
        if (!v) return;
        tag(field, WIRE_VARINT);
        rawVarint(1);
    }

    void string(int field, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        bytes(field, b, 0, b.length);
    }

    /** Strings in a string table are written even when empty: their index is their identity. */
    void bytes(int field, byte[] b, int off, int len) {
        tag(field, WIRE_LEN);
        rawVarint(len);
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    void message(int field, ProtoWriter nested) { bytes(field, nested.buf, 0, nested.pos); }

    /** Packed repeated varints: one tag, one length, then the values. */
    void packed(int field, long[] values, int off, int len, ProtoWriter scratch) {
        if (len == 0) return;
        scratch.reset();
        for (int i = 0; i < len; i++) scratch.rawVarint(values[off + i]);
        message(field, scratch);
    }

    void packed(int field, int[] values, int off, int len, ProtoWriter scratch) {
        if (len == 0) return;
        scratch.reset();
        for (int i = 0; i < len; i++) scratch.rawVarint(values[off + i] & 0xFFFFFFFFL);
        message(field, scratch);
    }
}
