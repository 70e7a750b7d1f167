package io.continuo.model;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * One condition of a selector: {@code name="v"}, {@code name!="v"}, {@code name=~"re"} or {@code name!~"re"}.
 * Regexes are RE2 (RE2/J): Prometheus's syntax and semantics, fully anchored, and matched in time linear in the
 * value's length whatever the pattern, so a hostile pattern cannot keep a core busy (no backreferences or lookaround,
 * which RE2 refuses as Prometheus does).
 */
public record LabelMatcher(String name, Op op, String value, Pattern pattern) {

    public enum Op {
        EQ("="), NEQ("!="), RE("=~"), NRE("!~");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public static LabelMatcher of(String name, Op op, String value) {
        Pattern pattern = null;
        if (op == Op.RE || op == Op.NRE) {
            try {
                // Anchored like Prometheus: the whole value must match ('.' matches newlines too, as Go's (?s)).
                pattern = Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new ValidationException("invalid regular expression for label '" + name + "': " + e.getDescription());
            }
        }
        return new LabelMatcher(name, op, value, pattern);
    }

    /** Whether a label value (null when the label is absent, which matches like an empty string) satisfies this. */
    public boolean matches(String labelValue) {
        String v = labelValue == null ? "" : labelValue;
        return switch (op) {
            case EQ -> v.equals(value);
            case NEQ -> !v.equals(value);
            case RE -> pattern.matcher(v).matches();
            case NRE -> !pattern.matcher(v).matches();
        };
    }

    /** True when an absent label satisfies this matcher (as in Prometheus, absent equals empty). */
    public boolean matchesEmpty() {
        return matches("");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(op.symbol).append('"');
        Labels.escape(value, sb);
        return sb.append('"').toString();
    }
}
