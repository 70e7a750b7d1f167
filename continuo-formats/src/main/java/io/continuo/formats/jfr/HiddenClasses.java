package io.continuo.formats.jfr;

/**
 * Hidden classes (lambdas, proxies) are named with a per-run counter and address:
 * {@code Shop$$Lambda$16+0x00007f4600002a68.1160460865}, {@code Cart$$Lambda/0x0000000800c03000},
 * {@code jdk.proxy2.$Proxy12}. Without them every restart and every instance names the same code differently and
 * their flame graphs never merge. (The agent, which has no dependencies, does the same in its own ClassNames.)
 */
final class HiddenClasses {
    private static final String LAMBDA = "$$Lambda$";
    private static final String PROXY = "$Proxy";

    private HiddenClasses() {
    }

    static String stableName(String className) {
        String name = className;
        int address = addressStart(name);
        if (address > 0) {
            name = name.substring(0, address);
        }
        int lambda = name.indexOf(LAMBDA);
        if (lambda >= 0) {
            name = name.substring(0, lambda + LAMBDA.length() - 1) + name.substring(digitsEnd(name, lambda + LAMBDA.length()));
        }
        int simple = name.lastIndexOf('.') + 1;
        int digits = simple + PROXY.length();
        if (name.startsWith(PROXY, simple) && digits < name.length() && digitsEnd(name, digits) == name.length()) {
            name = name.substring(0, digits);
        }
        return name;
    }

    /** Where a "+0x…", "/0x…" or ".0x…" address starts (no Java identifier starts with a digit), or -1. */
    private static int addressStart(String name) {
        for (int i = name.indexOf("0x", 1); i > 0; i = name.indexOf("0x", i + 1)) {
            char before = name.charAt(i - 1);
            if (before == '+' || before == '/' || before == '.') {
                return i - 1;
            }
        }
        return -1;
    }

    private static int digitsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end;
    }
}
