package io.continuo.formats.jfr.stream;

import io.continuo.formats.ProfileFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads of JFR's primitive encodings over a byte buffer: every read checks the current limit first and
 * fails with a {@link ProfileFormatException} naming the absolute byte offset, so a malformed input never escapes as
 * a {@link java.nio.BufferUnderflowException} and a declared length never allocates more than the bytes left.
 */
final class JfrInput {
    static final String FORMAT = "jfr";

    private final ByteBuffer buf;
    private final boolean compressed;
    private int pos;
    private int limit;

    JfrInput(ByteBuffer buf, boolean compressed) {
        this.buf = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.compressed = compressed;
        this.limit = buf.limit();
    }

    int position() {
        return pos;
    }

    int limit() {
        return limit;
    }

    int remaining() {
        return limit - pos;
    }

    /** Moves to {@code position} and reads no further than {@code newLimit}; both are checked against the buffer. */
    void window(long position, long newLimit) {
        if (position < 0 || newLimit > buf.limit() || position > newLimit) {
            throw fail(position, "offset " + position + " outside the " + buf.limit() + "-byte input");
        }
        this.pos = (int) position;
        this.limit = (int) newLimit;
    }

    ProfileFormatException fail(long offset, String reason) {
        return new ProfileFormatException(FORMAT, offset, reason);
    }

    private void need(int n) {
        if (limit - pos < n) {
            throw fail(pos, "truncated: needs " + n + " bytes, " + (limit - pos) + " left in the event");
        }
    }

    int u1() {
        need(1);
        return buf.get(pos++) & 0xff;
    }

    /** A short or char: compressed like every integer, or 2 bytes when the chunk does not compress integers. */
    int u2OrVarint() {
        if (compressed) {
            return (int) varlong();
        }
        need(2);
        int v = buf.getShort(pos) & 0xffff;
        pos += 2;
        return v;
    }

    int u4() {
        need(4);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    long u8() {
        need(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    /** JFR's compressed integer: LEB128 over at most 9 bytes, the ninth carrying a full 8 bits. */
    long varlong() {
        if (!compressed) {
            return u8();
        }
        long result = 0;
        for (int shift = 0; shift < 56; shift += 7) {
            need(1);
            byte b = buf.get(pos++);
            result |= (b & 0x7fL) << shift;
            if (b >= 0) {
                return result;
            }
        }
        need(1);
        return result | (buf.get(pos++) & 0xffL) << 56;
    }

    int varint() {
        if (!compressed) {
            return u4();
        }
        return (int) varlong();
    }

    /** A count or length that must be non-negative and fit the bytes left (each element takes at least a byte). */
    int count(String what) {
        int at = pos;
        long n = varlong();
        if (n < 0 || n > remaining()) {
            throw fail(at, what + " " + n + " exceeds the " + remaining() + " bytes left");
        }
        return (int) n;
    }

    /**
     * A JFR string: 0 null, 1 empty, 2 constant-pool reference (returned as a {@link StringRef}), 3 UTF-8,
     * 4 UTF-16 char array (compressed chars), 5 Latin-1.
     */
    Object string() {
        int at = pos;
        int encoding = u1();
        switch (encoding) {
            case 0:
                return null;
            case 1:
                return "";
            case 2:
                return new StringRef(varlong());
            case 3:
                return new String(bytes(), StandardCharsets.UTF_8);
            case 4: {
                int n = count("string length");
                char[] chars = new char[n];
                for (int i = 0; i < n; i++) {
                    chars[i] = (char) varint();
                }
                return new String(chars);
            }
            case 5:
                return new String(bytes(), StandardCharsets.ISO_8859_1);
            default:
                throw fail(at, "unknown string encoding " + encoding);
        }
    }

    /** A string that must be inline (metadata strings cannot refer to a constant pool). */
    String inlineString() {
        int at = pos;
        Object s = string();
        if (s instanceof StringRef) {
            throw fail(at, "constant-pool string where an inline one is required");
        }
        return (String) s;
    }

    /** Skips a string without decoding it and returns where it started (metadata strings are decoded on demand). */
    int skipString() {
        int at = pos;
        int encoding = u1();
        switch (encoding) {
            case 0, 1 -> {
            }
            case 2 -> varlong();
            case 3, 5 -> {
                int n = count("string length"); // read before adding: `pos += count()` would lose the length's bytes
                pos += n;
            }
            case 4 -> {
                int n = count("string length");
                for (int i = 0; i < n; i++) {
                    varint();
                }
            }
            default -> throw fail(at, "unknown string encoding " + encoding);
        }
        return at;
    }

    /** Decodes the inline string at {@code offset} (one that {@link #skipString()} passed), keeping the position. */
    String inlineStringAt(int offset) {
        int savedPos = pos;
        int savedLimit = limit;
        pos = offset;
        try {
            return inlineString();
        } finally {
            pos = savedPos;
            limit = savedLimit;
        }
    }

    private byte[] bytes() {
        int n = count("string length");
        byte[] b = new byte[n];
        buf.get(pos, b);
        pos += n;
        return b;
    }

    float f4() {
        return Float.intBitsToFloat(u4());
    }

    double f8() {
        return Double.longBitsToDouble(u8());
    }

    /** A string held in the chunk's {@code java.lang.String} constant pool, resolved when read. */
    record StringRef(long key) {
    }
}
