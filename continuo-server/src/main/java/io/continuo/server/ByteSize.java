package io.continuo.server;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them: {@code 512MB}, {@code 1GiB}, {@code 32m}, {@code 1.5G}, {@code 1048576}. */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15}(?:\\.\\d{1,6})?)\\s*(K|M|G|T)?(I?B)?");

    private ByteSize() {
    }

    /**
     * @param name what the size configures (a flag such as {@code --max-body-size}), named in the error
     * @throws IllegalArgumentException naming {@code name} when the text is not a non-negative size (so {@code -5MB} is refused)
     */
    public static long parse(String name, String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + ": invalid size '" + text + "' (expected e.g. 512MB, 1GB, 64KiB, 1048576)");
        }
        long multiplier = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            default -> 1L << 40;
        };
        double bytes = Double.parseDouble(m.group(1)) * multiplier;
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": size '" + text + "' is too large");
        }
        return (long) bytes;
    }
}
