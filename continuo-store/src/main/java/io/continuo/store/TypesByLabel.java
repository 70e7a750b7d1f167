package io.continuo.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Profile types grouped by one label's value (e.g. per service), collected in one pass over the matching series, so
 * listing services with their types is one store call instead of one per service. Shared by the engines.
 */
public final class TypesByLabel {
    private final TreeMap<String, TreeMap<String, String>> byValue = new TreeMap<>();

    /**
     * One series: its value of the label (null: absent, skipped), its type and unit; a metric series passes a null
     * type, so its value is listed (as labelValues would) without a profile type.
     */
    public void add(String labelValue, String type, String unit) {
        if (labelValue != null) {
            TreeMap<String, String> types = byValue.computeIfAbsent(labelValue, v -> new TreeMap<>());
            if (type != null) {
                types.putIfAbsent(type, unit);
            }
        }
    }

    /** Values sorted, at most {@code limit}, each with its types sorted by name. */
    public Map<String, List<TypeInfo>> result(int limit) {
        Map<String, List<TypeInfo>> out = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<String, String>> e : byValue.entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            List<TypeInfo> types = new ArrayList<>();
            e.getValue().forEach((name, unit) -> types.add(new TypeInfo(name, unit)));
            out.put(e.getKey(), types);
        }
        return out;
    }
}
