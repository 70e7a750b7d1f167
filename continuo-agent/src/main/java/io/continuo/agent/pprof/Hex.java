package io.continuo.agent.pprof;

/** Lower-case, zero-padded hex as OpenTelemetry prints span and trace ids. */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    public static String of(long v) {
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = DIGITS[(int) (v & 0xF)];
            v >>>= 4;
        }
        return new String(c);
    }

    /** Parses up to 16 hex digits of {@code s} starting at {@code from}; 0 on malformed input. */
    public static long parse(CharSequence s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return 0;
            v = (v << 4) | d;
        }
        return v;
    }
}
