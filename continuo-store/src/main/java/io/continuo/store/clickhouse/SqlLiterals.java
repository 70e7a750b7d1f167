package io.continuo.store.clickhouse;

import java.util.regex.Pattern;

/**
 * Literals for ClickHouse SQL text. ClickHouse 18.16 has no query parameters, so every user-supplied string that goes
 * into a query (tenants, label names and values, trace ids, metric names) goes through {@link #quote}: backslash and
 * quote are escaped, control characters become escapes, so no input can end the literal early. Everything else
 * (unicode included) is sent as is in the UTF-8 request body.
 */
final class SqlLiterals {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SqlLiterals() {
    }

    /** A single-quoted string literal that evaluates to exactly {@code value}. */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2);
        sb.append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\0' -> sb.append("\\0");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('\'').toString();
    }

    /** A database or table name: plain identifiers only, so it can be written without quoting. */
    static String identifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("ClickHouse database/table name must match " + IDENTIFIER.pattern()
                    + ", got '" + name + "'");
        }
        return name;
    }
}
