package io.continuo.agent.jfr;

/**
 * Class names as people read them and as they stay across restarts: JFR reports arrays by descriptor
 * ({@code [B}), and hidden classes (lambdas, proxies) with a per-run counter and address.
 */
public final class ClassNames {
    private ClassNames() {}

    /**
     * {@code Shop$$Lambda$16+0x00007f4600002a68.1160460865} and {@code Shop$$Lambda/0x0000000800c03000} become
     * {@code Shop$$Lambda}, {@code jdk.proxy2.$Proxy12} becomes {@code jdk.proxy2.$Proxy}: otherwise every restart
     * and every instance names the same code differently, and their flame graphs never merge.
     */
    public static String stable(String name) {
        if (name == null) return null;
        int hidden = hiddenSuffix(name);
        if (hidden > 0) name = name.substring(0, hidden);
        int lambda = name.indexOf("$$Lambda$");
        if (lambda >= 0) {
            int end = lambda + 9;
            while (end < name.length() && Character.isDigit(name.charAt(end))) end++;
            name = name.substring(0, lambda + 8) + name.substring(end);
        }
        int simple = name.lastIndexOf('.') + 1;
        if (name.startsWith("$Proxy", simple) && name.length() > simple + 6) {
            int end = simple + 6;
            while (end < name.length() && Character.isDigit(name.charAt(end))) end++;
            if (end == name.length()) name = name.substring(0, simple + 6);
        }
        return name;
    }

    /** Where a hidden class's "+0x…", "/0x…" or ".0x…" address starts (no Java identifier starts with a digit), or -1. */
    private static int hiddenSuffix(String name) {
        for (int i = name.indexOf("0x", 1); i > 0; i = name.indexOf("0x", i + 1)) {
            char c = name.charAt(i - 1);
            if (c == '+' || c == '/' || c == '.') return i - 1;
        }
        return -1;
    }

    static String readable(String name) {
        if (name == null || name.isEmpty()) return name;
        if (name.charAt(0) != '[') return stable(name);
        int dims = 0;
        while (dims < name.length() && name.charAt(dims) == '[') dims++;
        String element;
        char c = dims < name.length() ? name.charAt(dims) : '?';
        switch (c) {
            case 'Z': element = "boolean"; break;
            case 'B': element = "byte"; break;
            case 'C': element = "char"; break;
            case 'S': element = "short"; break;
            case 'I': element = "int"; break;
            case 'J': element = "long"; break;
            case 'F': element = "float"; break;
            case 'D': element = "double"; break;
            case 'L':
                element = stable(name.substring(dims + 1, name.endsWith(";") ? name.length() - 1 : name.length()));
                break;
            default: return name;
        }
        StringBuilder sb = new StringBuilder(element);
        for (int i = 0; i < dims; i++) sb.append("[]");
        return sb.toString();
    }
}
