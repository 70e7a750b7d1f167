package io.continuo.formats.collapsed;

import io.continuo.formats.DecodeLimits;
import io.continuo.formats.Gzip;
import io.continuo.formats.ProfileFormatException;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.StackTable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the collapsed ("folded") stack format of flamegraph.pl, async-profiler and Pyroscope: one stack per line,
 * frames root first joined by {@code ;}, then a space and the value ({@code main;work;hash 120}). The value is the last
 * space-separated token, so frame names may contain spaces. Blank lines and lines starting with {@code #} are skipped.
 * Pyroscope's {@code lines} format ({@link #readLines}) is the same without values: each line counts 1.
 */
public final class CollapsedReader {
    public static final String FORMAT = "collapsed";
    private static final char FRAME_SEPARATOR = ';';
    private static final char COMMENT = '#';

    private CollapsedReader() {
    }

    public static Profile read(String text, ProfileType type, DecodeLimits limits) {
        return parse(text, type, limits, true);
    }

    /** UTF-8 text, gzipped or not. */
    public static Profile read(byte[] utf8, ProfileType type, DecodeLimits limits) {
        return read(decode(utf8, limits), type, limits);
    }

    /** Pyroscope's {@code lines} format: one stack per line ({@code a;b;c}), each line worth 1. */
    public static Profile readLines(String text, ProfileType type, DecodeLimits limits) {
        return parse(text, type, limits, false);
    }

    public static Profile readLines(byte[] utf8, ProfileType type, DecodeLimits limits) {
        return readLines(decode(utf8, limits), type, limits);
    }

    private static String decode(byte[] utf8, DecodeLimits limits) {
        return new String(Gzip.maybeDecompress(utf8, limits, FORMAT), StandardCharsets.UTF_8);
    }

    private static Profile parse(String text, ProfileType type, DecodeLimits limits, boolean withValues) {
        if (text.length() > limits.maxDecompressedBytes()) {
            throw new ProfileFormatException(FORMAT, ProfileFormatException.UNKNOWN_OFFSET,
                    "input exceeds maxDecompressedBytes " + limits.maxDecompressedBytes());
        }
        ProfileBuilder builder = new ProfileBuilder(java.util.List.of(type), limits.maxStackDepth());
        Map<String, Integer> frames = new HashMap<>();
        int lineNo = 0;
        int samples = 0;
        int pos = 0;
        int length = text.length();
        while (pos < length) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = length;
            }
            lineNo++;
            int start = pos;
            int end = eol;
            pos = eol + 1;
            if (end > start && text.charAt(end - 1) == '\r') {
                end--;
            }
            while (start < end && Character.isWhitespace(text.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
                end--;
            }
            if (start == end || text.charAt(start) == COMMENT) {
                continue;
            }
            if (++samples > limits.maxSamples()) {
                throw error(lineNo, start, "more than maxSamples " + limits.maxSamples() + " lines");
            }
            long value = 1;
            int stackEnd = end;
            if (withValues) {
                int space = text.lastIndexOf(' ', end - 1);
                if (space < start) {
                    throw error(lineNo, start, "missing value (expected 'frame;frame value')");
                }
                value = parseValue(text, space + 1, end, lineNo);
                stackEnd = space;
                while (stackEnd > start && text.charAt(stackEnd - 1) == ' ') {
                    stackEnd--;
                }
                if (stackEnd == start) {
                    throw error(lineNo, start, "empty stack");
                }
            }
            int stack = StackTable.ROOT;
            int depth = 0;
            int frameStart = start;
            while (frameStart <= stackEnd) {
                int sep = text.indexOf(FRAME_SEPARATOR, frameStart);
                if (sep < 0 || sep > stackEnd) {
                    sep = stackEnd;
                }
                if (++depth > limits.maxStackDepth()) {
                    throw error(lineNo, start, "stack deeper than maxStackDepth " + limits.maxStackDepth() + " frames");
                }
                String name = text.substring(frameStart, sep);
                Integer frame = frames.get(name);
                if (frame == null) {
                    frame = builder.frame(name);
                    frames.put(name, frame);
                }
                stack = builder.childStack(stack, frame);
                frameStart = sep + 1;
            }
            builder.addValue(stack, 0, value, Labels.EMPTY);
        }
        return builder.build();
    }

    private static long parseValue(String text, int from, int to, int lineNo) {
        try {
            return Long.parseLong(text, from, to, 10);
        } catch (NumberFormatException e) {
            throw error(lineNo, from, "invalid value '" + abbreviate(text.substring(from, to)) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static ProfileFormatException error(int line, int offset, String reason) {
        return new ProfileFormatException(FORMAT, offset, reason + " on line " + line);
    }
}
