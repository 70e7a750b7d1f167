package io.continuo.server.insights;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.model.Selector;
import io.continuo.server.http.TimeParser;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One alert rule, validated once. Conditions: {@code insight} (a detector kind at or above a severity),
 * {@code total} (a profile type's total per second over {@code window}, per service, compared with {@code threshold})
 * or {@code function_share} (a function's inclusive share of a profile type over {@code window}, 0..1).
 * {@code matchers} is a selector the alert's labels must match; {@code for} how long the condition must hold.
 */
public record AlertRule(String id, String condition, String insightKind, String minSeverity, String type,
                        String function, String op, double threshold, long windowMillis, long forMillis,
                        String matchers, String severity) {
    static final String INSIGHT = "insight";
    static final String TOTAL = "total";
    static final String FUNCTION_SHARE = "function_share";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

    public AlertRule {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("rule 'id' must be 1-100 letters, digits, '_', '.', ':' or '-', got '" + id + "'");
        }
        if (!INSIGHT.equals(condition) && !TOTAL.equals(condition) && !FUNCTION_SHARE.equals(condition)) {
            throw new IllegalArgumentException("rule " + id + ": 'condition' must be insight, total or function_share, got '" + condition + "'");
        }
        if (!TOTAL.equals(condition) && !FUNCTION_SHARE.equals(condition) && insightKind == null) {
            insightKind = "*";
        }
        if ((TOTAL.equals(condition) || FUNCTION_SHARE.equals(condition)) && (type == null || type.isBlank())) {
            type = "cpu";
        }
        if (FUNCTION_SHARE.equals(condition) && (function == null || function.isBlank())) {
            throw new IllegalArgumentException("rule " + id + ": condition function_share needs 'function'");
        }
        if (FUNCTION_SHARE.equals(condition) && (threshold < 0 || threshold > 1)) {
            throw new IllegalArgumentException("rule " + id + ": a function_share 'threshold' is a fraction in [0, 1], got " + threshold);
        }
        op = op == null ? ">" : op;
        if (!op.equals(">") && !op.equals("<")) {
            throw new IllegalArgumentException("rule " + id + ": 'op' must be '>' or '<', got '" + op + "'");
        }
        minSeverity = minSeverity == null ? Insight.INFO : minSeverity;
        severity = severity == null ? Insight.WARNING : severity;
        for (String s : new String[]{minSeverity, severity}) {
            if (!s.equals(Insight.INFO) && !s.equals(Insight.WARNING) && !s.equals(Insight.CRITICAL)) {
                throw new IllegalArgumentException("rule " + id + ": severities are info, warning or critical, got '" + s + "'");
            }
        }
        if (windowMillis <= 0) {
            windowMillis = 300_000;
        }
        if (forMillis < 0) {
            throw new IllegalArgumentException("rule " + id + ": 'for' must not be negative");
        }
        matchers = matchers == null ? "" : matchers;
        Selector.parse(matchers);
    }

    Selector selector() {
        return Selector.parse(matchers);
    }

    static AlertRule fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a rule is a JSON object");
        }
        return new AlertRule(text(n, "id"), text(n, "condition") == null ? INSIGHT : text(n, "condition"),
                text(n, "insightKind"), text(n, "minSeverity"), text(n, "type"), text(n, "function"), text(n, "op"),
                n.path("threshold").asDouble(0), duration(n, "window"), duration(n, "for"), text(n, "matchers"),
                text(n, "severity"));
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("condition", condition);
        if (INSIGHT.equals(condition)) {
            m.put("insightKind", insightKind);
            m.put("minSeverity", minSeverity);
        } else {
            m.put("type", type);
            if (function != null) {
                m.put("function", function);
            }
            m.put("op", op);
            m.put("threshold", threshold);
            m.put("window", windowMillis / 1000 + "s");
        }
        m.put("for", forMillis / 1000 + "s");
        m.put("matchers", matchers);
        m.put("severity", severity);
        return m;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long duration(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return field.equals("for") ? 0 : -1;
        }
        if (v.isNumber()) {
            return (long) (v.asDouble() * 1000);
        }
        return TimeParser.parseDurationMillis(field, v.asText(), 0);
    }
}
