package io.continuo.formats;

/**
 * The {@code thread} label's value: a thread's name with the numbers that count instances of a pool or worker
 * folded to {@code #}, so that a pool of 200 threads makes one series, not 200, while names keep their meaning.
 * A run of digits is folded when it is an instance number: at the end of the name ({@code CompilerThread0},
 * {@code Thread-7}) or standing alone between separators ({@code pool-3-thread-17} becomes {@code pool-#-thread-#}).
 * Digits that are part of a word stay ({@code C2 CompilerThre}, {@code G1 Conc#0} becomes {@code G1 Conc#}, since
 * a {@code #} already there needs no second one; {@code http2-worker-1} becomes {@code http2-worker-#}). A long
 * number glued to a word before a separator is an identity hash and is folded too ({@code qtp1911728085-17}).
 */
public final class ThreadNames {
    /** Longer names are cut: a label value is not a log line. */
    public static final int MAX_LENGTH = 128;
    private static final int MIN_HASH_DIGITS = 5;

    private ThreadNames() {
    }

    public static String normalize(String name) {
        int n = Math.min(name.length(), MAX_LENGTH);
        StringBuilder sb = null;
        int i = 0;
        while (i < n) {
            char c = name.charAt(i);
            if (!isDigit(c)) {
                if (sb != null) {
                    sb.append(c);
                }
                i++;
                continue;
            }
            int end = i;
            while (end < n && isDigit(name.charAt(end))) {
                end++;
            }
            char before = i == 0 ? ' ' : name.charAt(i - 1);
            boolean atEnd = end == n;
            boolean sepAfter = !atEnd && isSeparator(name.charAt(end));
            boolean alone = isSeparator(before) && (atEnd || sepAfter);
            // A long number glued to a word before a separator is an identity hash, not part of the name
            // (Jetty's qtp1911728085-17): folded too, or every process restart would make new series.
            boolean hash = sepAfter && end - i >= MIN_HASH_DIGITS;
            if (atEnd || alone || hash) {
                if (sb == null) {
                    sb = new StringBuilder(n).append(name, 0, i);
                }
                if (before != '#') {
                    sb.append('#');
                }
            } else if (sb != null) {
                sb.append(name, i, end);
            }
            i = end;
        }
        return sb != null ? sb.toString() : n == name.length() ? name : name.substring(0, n);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSeparator(char c) {
        return c == '-' || c == '_' || c == ' ' || c == '#' || c == '.' || c == ':' || c == '/' || c == '|' || c == '[' || c == ']';
    }
}
