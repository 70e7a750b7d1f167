package io.continuo.formats;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A tiny protobuf message writer for hand-made test inputs (fields in the order given, duplicates allowed). */
public final class Pb {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    public Pb varint(int field, long value) {
        try {
            out.writeUInt64(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Pb packed(int field, long... values) {
        Pb inner = new Pb();
        for (long v : values) {
            try {
                inner.out.writeUInt64NoTag(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bytes(field, inner.toBytes());
    }

    public Pb string(int field, String value) {
        try {
            out.writeString(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Pb bytes(int field, byte[] value) {
        try {
            out.writeByteArray(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Pb message(int field, Pb value) {
        return bytes(field, value.toBytes());
    }

    public byte[] toBytes() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
