package io.continuo.formats;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Gzip detection and decompression with a hard bound on the output size: a 1 MB upload can inflate to 1 GB
 * (a "gzip bomb"), so bytes are counted as they are produced and decoding stops one byte past the limit.
 */
public final class Gzip {
    public static final String FORMAT = "gzip";
    private static final int MAGIC_0 = 0x1f;
    private static final int MAGIC_1 = 0x8b;
    private static final int MIN_BUFFER = 8 << 10;
    /** Typical profile compression ratio: first guess of the output size. */
    private static final int EXPECTED_RATIO = 4;

    private Gzip() {
    }

    public static boolean isGzip(byte[] data) {
        return data != null && data.length >= 2 && (data[0] & 0xff) == MAGIC_0 && (data[1] & 0xff) == MAGIC_1;
    }

    /**
     * The input itself when it is not gzip (checked against {@code maxDecompressedBytes} too), else its
     * decompressed content.
     *
     * @param format names the caller's format in errors about the raw input size
     */
    public static byte[] maybeDecompress(byte[] data, DecodeLimits limits, String format) {
        if (data == null) {
            throw new ProfileFormatException(format, ProfileFormatException.UNKNOWN_OFFSET, "no input");
        }
        if (isGzip(data)) {
            return decompress(data, limits.maxDecompressedBytes());
        }
        if (data.length > limits.maxDecompressedBytes()) {
            throw new ProfileFormatException(format, ProfileFormatException.UNKNOWN_OFFSET, "input of " + data.length
                    + " bytes exceeds maxDecompressedBytes " + limits.maxDecompressedBytes());
        }
        return data;
    }

    /** Decompresses all gzip members of {@code data}; fails past {@code maxBytes} of output. */
    public static byte[] decompress(byte[] data, long maxBytes) {
        int limit = (int) Math.min(maxBytes, Integer.MAX_VALUE - 8);
        byte[] out = new byte[(int) Math.min(limit + 1L, Math.max(MIN_BUFFER, (long) data.length * EXPECTED_RATIO))];
        int size = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data), MIN_BUFFER)) {
            while (true) {
                if (size == out.length) {
                    if (size > limit) {
                        throw tooBig(maxBytes);
                    }
                    out = Arrays.copyOf(out, (int) Math.min(limit + 1L, (long) out.length * 2));
                }
                int n = in.read(out, size, out.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
                if (size > limit) {
                    throw tooBig(maxBytes);
                }
            }
        } catch (EOFException e) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "truncated gzip stream (after " + size + " decompressed bytes)", e);
        } catch (ZipException e) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "corrupt gzip stream: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET, "unreadable gzip stream: " + e.getMessage(), e);
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }

    private static ProfileFormatException tooBig(long maxBytes) {
        return new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                "decompressed size exceeds maxDecompressedBytes " + maxBytes + " (possible gzip bomb)");
    }
}
