package io.continuo.formats.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.continuo.formats.ProfileFormatException;

/**
 * Protobuf wire decoding over one byte array with errors that carry the format name and absolute byte offset.
 * Shared by Continuo's hand-written protobuf decoders; not API.
 */
public final class WireReader {
    public static final int WIRETYPE_VARINT = WireFormat.WIRETYPE_VARINT;
    public static final int WIRETYPE_FIXED64 = WireFormat.WIRETYPE_FIXED64;
    public static final int WIRETYPE_LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    public static final int WIRETYPE_FIXED32 = WireFormat.WIRETYPE_FIXED32;

    private final String format;
    private final CodedInputStream in;

    public WireReader(String format, byte[] data) {
        this.format = format;
        this.in = CodedInputStream.newInstance(data);
        // Continuo's decoders never recurse through the wire; only skipped groups would, so keep that shallow.
        this.in.setRecursionLimit(16);
    }

    public static int field(int tag) {
        return WireFormat.getTagFieldNumber(tag);
    }

    public static int wireType(int tag) {
        return WireFormat.getTagWireType(tag);
    }

    /** Bytes consumed so far: the absolute offset of the next byte. */
    public long offset() {
        return in.getTotalBytesRead();
    }

    public ProfileFormatException error(String reason) {
        return new ProfileFormatException(format, offset(), reason);
    }

    private ProfileFormatException error(InvalidProtocolBufferException e) {
        String reason = e.getMessage() == null ? "malformed protobuf" : e.getMessage();
        if (reason.startsWith("While parsing a protocol message, the input ended unexpectedly")) {
            reason = "truncated input";
        }
        return new ProfileFormatException(format, offset(), reason, e);
    }

    public boolean atEnd() {
        try {
            return in.isAtEnd();
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    /** The next tag; fails on tag 0 or an invalid field number. */
    public int tag() {
        try {
            int tag = in.readTag();
            if (tag == 0 || field(tag) == 0) {
                throw error("invalid field tag " + tag);
            }
            return tag;
        } catch (InvalidProtocolBufferException e) {
            throw error(e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    public long varint() {
        try {
            return in.readRawVarint64();
        } catch (InvalidProtocolBufferException e) {
            throw error(e.getMessage() != null && e.getMessage().contains("malformed varint")
                    ? new InvalidProtocolBufferException("malformed varint") : e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    /** Reads a value of a varint field, checking the wire type first. */
    public long varint(int tag) {
        expect(tag, WIRETYPE_VARINT);
        return varint();
    }

    public void expect(int tag, int wireType) {
        if (wireType(tag) != wireType) {
            throw error("field " + field(tag) + " has wire type " + wireType(tag) + ", expected " + wireType);
        }
    }

    /** Enters a length-delimited field (the tag already read and checked); returns the token for {@link #pop}. */
    public int push() {
        try {
            int length = in.readRawVarint32();
            return in.pushLimit(length);
        } catch (InvalidProtocolBufferException e) {
            throw error(e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    /** Enters a length-delimited field after checking the tag's wire type. */
    public int push(int tag) {
        expect(tag, WIRETYPE_LENGTH_DELIMITED);
        return push();
    }

    public void pop(int token) {
        try {
            if (!in.isAtEnd()) {
                throw error("message not fully consumed");
            }
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
        in.popLimit(token);
    }

    public String string(int tag) {
        expect(tag, WIRETYPE_LENGTH_DELIMITED);
        try {
            return in.readString();
        } catch (InvalidProtocolBufferException e) {
            throw error(e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    public byte[] bytes(int tag) {
        expect(tag, WIRETYPE_LENGTH_DELIMITED);
        try {
            return in.readByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw error(e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    /** Skips a length-delimited field's payload (the tag already read) and returns its start offset and length packed. */
    public long skipLengthDelimited(int tag) {
        expect(tag, WIRETYPE_LENGTH_DELIMITED);
        try {
            int length = in.readRawVarint32();
            long start = offset();
            in.skipRawBytes(length);
            return (start << 32) | (length & 0xffffffffL);
        } catch (InvalidProtocolBufferException e) {
            throw error(e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }

    public void skip(int tag) {
        try {
            if (!in.skipField(tag)) {
                throw error("unexpected end-group tag");
            }
        } catch (InvalidProtocolBufferException e) {
            throw error(e);
        } catch (java.io.IOException e) {
            throw new ProfileFormatException(format, offset(), "unreadable input", e);
        }
    }
}
