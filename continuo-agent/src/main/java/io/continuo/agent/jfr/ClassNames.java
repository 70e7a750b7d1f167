package io.continuo.agent.jfr;

/** JFR reports array classes by descriptor ({@code [B}, {@code [Ljava.lang.String;}); people read {@code byte[]}. */
final class ClassNames {
    private ClassNames() {}

    static String readable(String name) {
        if (name == null || name.isEmpty() || name.charAt(0) != '[') return name;
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
                element = name.substring(dims + 1, name.endsWith(";") ? name.length() - 1 : name.length());
                break;
            default: return name;
        }
        StringBuilder sb = new StringBuilder(element);
        for (int i = 0; i < dims; i++) sb.append("[]");
        return sb.toString();
    }
}
