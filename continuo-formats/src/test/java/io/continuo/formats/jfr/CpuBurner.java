package io.continuo.formats.jfr;

/** Run in a child JVM by {@link JfrReaderTest}: burns CPU in one recognisable method for the given milliseconds. */
public final class CpuBurner {
    private CpuBurner() {
    }

    public static void main(String[] args) {
        long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000L;
        long acc = 0;
        while (System.nanoTime() < end) {
            acc += burnCpu(200_000);
        }
        System.out.println(acc);
    }

    static long burnCpu(int n) {
        long h = 1125899906842597L;
        for (int i = 0; i < n; i++) {
            h = 31 * h + (h >>> 7) + i;
        }
        return h;
    }
}
