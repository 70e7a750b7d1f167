package io.continuo.formats.otlp;

import io.continuo.formats.ProfileFormatException;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked protobuf wire reader over one byte array that can also be positioned: the OTLP request puts its
 * dictionary after the profiles that refer to it, so the decoder reads a region twice. Nested messages narrow the
 * limit ({@link #enter}/{@link #exit}) without allocating; every error carries the absolute byte offset.
 */
final class ProtoCursor {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;
    private static final int MAX_VARINT_BYTES = 10;
    private static final int FIXED64_BYTES = 8;
    private static final int FIXED32_BYTES = 4;

    private final String format;
    private final byte[] data;
    private int pos;
    private int limit;

    ProtoCursor(String format, byte[] data) {
        this.format = format;
        this.data = data;
        this.limit = data.length;
    }

    static int field(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    int position() {
        return pos;
    }

    /** Reads the region [start, end) next, as if it were a whole message; {@link #restore} undoes it. */
    long moveTo(int start, int end) {
        long saved = ((long) pos << 32) | (limit & 0xffffffffL);
        pos = start;
        limit = end;
        return saved;
    }

    void restore(long saved) {
        pos = (int) (saved >>> 32);
        limit = (int) saved;
    }

    boolean more() {
        return pos < limit;
    }

    ProfileFormatException error(String reason) {
        return new ProfileFormatException(format, pos, reason);
    }

    int tag() {
        int at = pos;
        long tag = varint();
        if (tag <= 0 || tag > Integer.MAX_VALUE || field((int) tag) == 0) {
            throw new ProfileFormatException(format, at, "invalid field tag " + tag);
        }
        int wt = wireType((int) tag);
        if (wt != VARINT && wt != FIXED64 && wt != LENGTH_DELIMITED && wt != FIXED32) {
            throw new ProfileFormatException(format, at, "unsupported wire type " + wt + " (field " + field((int) tag) + ")");
        }
        return (int) tag;
    }

    long varint() {
        long result = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (pos >= limit) {
                throw error("truncated varint");
            }
            byte b = data[pos++];
            result |= (long) (b & 0x7f) << (7 * i);
            if (b >= 0) {
                return result;
            }
        }
        throw error("malformed varint");
    }

    long varint(int tag) {
        expect(tag, VARINT);
        return varint();
    }

    /** An int32 field: proto encodes negative values as sign-extended 64-bit varints, so the cast is exact. */
    int int32(int tag) {
        return (int) varint(tag);
    }

    long fixed64(int tag) {
        expect(tag, FIXED64);
        return fixed64();
    }

    /** A fixed64 without its tag: an element of a packed field. */
    long fixed64() {
        need(FIXED64_BYTES);
        long v = 0;
        for (int i = 0; i < FIXED64_BYTES; i++) {
            v |= (data[pos + i] & 0xffL) << (8 * i);
        }
        pos += FIXED64_BYTES;
        return v;
    }

    /** Enters a nested message or packed field; returns the outer limit for {@link #exit}. */
    int enter(int tag) {
        expect(tag, LENGTH_DELIMITED);
        int length = length();
        int outer = limit;
        limit = pos + length;
        return outer;
    }

    void exit(int outerLimit) {
        if (pos != limit) {
            throw error("message not fully consumed");
        }
        limit = outerLimit;
    }

    String string(int tag) {
        expect(tag, LENGTH_DELIMITED);
        int length = length();
        String s = new String(data, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** A bytes field as lower-case hex, the way OpenTelemetry prints trace and span ids. */
    String hex(int tag) {
        expect(tag, LENGTH_DELIMITED);
        int length = length();
        char[] out = new char[length * 2];
        for (int i = 0; i < length; i++) {
            int b = data[pos + i] & 0xff;
            out[2 * i] = Character.forDigit(b >>> 4, 16);
            out[2 * i + 1] = Character.forDigit(b & 0xf, 16);
        }
        pos += length;
        return new String(out);
    }

    /** Skips a length-delimited field and returns its payload's [start, end) packed as start << 32 | end. */
    long skipRegion(int tag) {
        expect(tag, LENGTH_DELIMITED);
        int length = length();
        int start = pos;
        pos += length;
        return ((long) start << 32) | (pos & 0xffffffffL);
    }

    void skip(int tag) {
        switch (wireType(tag)) {
            case VARINT -> varint();
            case FIXED64 -> {
                need(FIXED64_BYTES);
                pos += FIXED64_BYTES;
            }
            case LENGTH_DELIMITED -> {
                int length = length(); // read first: "pos += length()" would add to the position before the length
                pos += length;
            }
            case FIXED32 -> {
                need(FIXED32_BYTES);
                pos += FIXED32_BYTES;
            }
            default -> throw error("unsupported wire type " + wireType(tag));
        }
    }

    void expect(int tag, int wireType) {
        if (wireType(tag) != wireType) {
            throw error("field " + field(tag) + " has wire type " + wireType(tag) + ", expected " + wireType);
        }
    }

    /** A declared length, checked against what is left of the enclosing message before anything is allocated. */
    private int length() {
        long length = varint();
        if (length < 0 || length > limit - pos) {
            throw error("declared length " + length + " exceeds the " + (limit - pos) + " bytes left in the enclosing message");
        }
        return (int) length;
    }

    private void need(int bytes) {
        if (limit - pos < bytes) {
            throw error("truncated input: " + bytes + " bytes needed, " + (limit - pos) + " left");
        }
    }
}
