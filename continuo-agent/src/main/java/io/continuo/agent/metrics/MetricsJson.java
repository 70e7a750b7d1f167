package io.continuo.agent.metrics;

import java.util.Map;

/** Writes the ingest/metrics body by hand: {"points":[{"timestamp":ms,"values":{name:number}}]}. */
public final class MetricsJson {
    private MetricsJson() {}

    public static String point(long timestampMillis, Map<String, Double> values) {
        StringBuilder sb = new StringBuilder(64 + values.size() * 40);
        sb.append("{\"points\":[{\"timestamp\":").append(timestampMillis).append(",\"values\":{");
        boolean first = true;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            double v = e.getValue();
            // JSON has no NaN or Infinity: a metric we could not compute is left out, not invented.
            if (Double.isNaN(v) || Double.isInfinite(v)) continue;
            if (!first) sb.append(',');
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                sb.append((long) v);
            } else {
                sb.append(v);
            }
        }
        return sb.append("}}]}").toString();
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
