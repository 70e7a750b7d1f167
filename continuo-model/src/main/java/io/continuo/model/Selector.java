package io.continuo.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A Prometheus-style series selector: {@code {service="shop",env=~"prod|stage",version!="1.0"}}.
 * Parsed by hand with positions in every error; bounded in length and matcher count.
 */
public final class Selector {
    public static final int MAX_LENGTH = 8192;
    public static final int MAX_MATCHERS = 64;
    public static final Selector ALL = new Selector(List.of());

    private final List<LabelMatcher> matchers;

    public Selector(List<LabelMatcher> matchers) {
        this.matchers = List.copyOf(matchers);
    }

    public List<LabelMatcher> matchers() {
        return matchers;
    }

    public boolean matches(Labels labels) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels.get(m.name()))) {
                return false;
            }
        }
        return true;
    }

    /** The value of an equality matcher on {@code name}, or null. */
    public String equalityValue(String name) {
        for (LabelMatcher m : matchers) {
            if (m.name().equals(name) && m.op() == LabelMatcher.Op.EQ) {
                return m.value();
            }
        }
        return null;
    }

    public Selector and(LabelMatcher matcher) {
        List<LabelMatcher> all = new ArrayList<>(matchers);
        all.add(matcher);
        return new Selector(all);
    }

    /** Parses {@code {a="b",...}}; an empty or blank string, or {@code {}}, selects everything. */
    public static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        if (text.length() > MAX_LENGTH) {
            throw new ValidationException("selector too long: " + text.length() + " characters (limit " + MAX_LENGTH + ")");
        }
        return new Parser(text).parse();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < matchers.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(matchers.get(i));
        }
        return sb.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selector s && s.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Selector parse() {
            skipSpaces();
            // Pyroscope-style "app.cpu{...}" prefixes are tolerated: the name before '{' is the service.
            List<LabelMatcher> matchers = new ArrayList<>();
            if (pos < text.length() && text.charAt(pos) != '{') {
                int start = pos;
                while (pos < text.length() && text.charAt(pos) != '{' && !Character.isWhitespace(text.charAt(pos))) {
                    pos++;
                }
                matchers.add(LabelMatcher.of(Labels.SERVICE, LabelMatcher.Op.EQ, text.substring(start, pos)));
                skipSpaces();
                if (pos == text.length()) {
                    return new Selector(matchers);
                }
            }
            expect('{');
            skipSpaces();
            if (peek() == '}') {
                pos++;
                return finish(matchers);
            }
            while (true) {
                skipSpaces();
                String name = name();
                skipSpaces();
                LabelMatcher.Op op = op();
                skipSpaces();
                String value = quoted();
                if (matchers.size() == MAX_MATCHERS) {
                    throw error("too many matchers (limit " + MAX_MATCHERS + ")");
                }
                matchers.add(LabelMatcher.of(name, op, value));
                skipSpaces();
                char c = peek();
                pos++;
                if (c == '}') {
                    return finish(matchers);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
                skipSpaces();
                if (peek() == '}') {
                    pos++;
                    return finish(matchers);
                }
            }
        }

        private Selector finish(List<LabelMatcher> matchers) {
            skipSpaces();
            if (pos != text.length()) {
                throw error("unexpected text after '}'");
            }
            return new Selector(matchers);
        }

        private String name() {
            int start = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                    pos++;
                } else {
                    break;
                }
            }
            String name = text.substring(start, pos);
            if (!Labels.isValidName(name)) {
                pos = start;
                throw error("expected a label name");
            }
            return name;
        }

        private LabelMatcher.Op op() {
            if (text.startsWith("=~", pos)) {
                pos += 2;
                return LabelMatcher.Op.RE;
            }
            if (text.startsWith("!~", pos)) {
                pos += 2;
                return LabelMatcher.Op.NRE;
            }
            if (text.startsWith("!=", pos)) {
                pos += 2;
                return LabelMatcher.Op.NEQ;
            }
            if (text.startsWith("=", pos)) {
                pos += 1;
                return LabelMatcher.Op.EQ;
            }
            throw error("expected one of =, !=, =~, !~");
        }

        private String quoted() {
            char quote = peek();
            if (quote != '"' && quote != '\'' && quote != '`') {
                throw error("expected a quoted value");
            }
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == quote) {
                    return sb.toString();
                }
                if (c == '\\' && quote != '`') {
                    if (pos == text.length()) {
                        break;
                    }
                    char e = text.charAt(pos++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case '\\', '"', '\'' -> sb.append(e);
                        default -> sb.append('\\').append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
            throw error("unterminated quoted value");
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            if (pos >= text.length()) {
                throw error("unexpected end of selector");
            }
            return text.charAt(pos);
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private ValidationException error(String what) {
            return new ValidationException("invalid selector at position " + pos + ": " + what
                    + " in '" + Strings.abbreviate(text, 200) + "'");
        }
    }
}
