package io.continuo.store;

import io.continuo.model.Labels;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The listing queries every engine answers the same way from the series it selected: label names, label values,
 * profile types and metric names. Engines differ only in how they select series (an in-memory cache, a ClickHouse
 * query); what is listed from them, sorted and limited, lives here once.
 */
public final class SeriesListing {
    /** Metric series are series whose type is this prefix + the metric name, in every engine. */
    public static final String METRIC_PREFIX = ":";

    /** What listing needs of a series. */
    public interface Listed {
        String type();

        String unit();

        Labels labels();
    }

    private SeriesListing() {
    }

    public static boolean isMetric(Listed s) {
        return s.type().startsWith(METRIC_PREFIX);
    }

    /** Label names present on the series, sorted. */
    public static List<String> labelNames(Iterable<? extends Listed> series) {
        TreeSet<String> names = new TreeSet<>();
        for (Listed s : series) {
            Labels labels = s.labels();
            for (int i = 0; i < labels.size(); i++) {
                names.add(labels.name(i));
            }
        }
        return List.copyOf(names);
    }

    /** Values of one label on the series, sorted, at most {@code limit}. */
    public static List<String> labelValues(Iterable<? extends Listed> series, String labelName, int limit) {
        TreeSet<String> values = new TreeSet<>();
        for (Listed s : series) {
            String v = s.labels().get(labelName);
            if (v != null) {
                values.add(v);
            }
        }
        return values.stream().limit(Math.max(0, limit)).toList();
    }

    /** Profile types (not metrics) of the series with their units, sorted by name. */
    public static List<TypeInfo> profileTypes(Iterable<? extends Listed> series) {
        TreeMap<String, String> types = new TreeMap<>();
        for (Listed s : series) {
            if (!isMetric(s)) {
                types.putIfAbsent(s.type(), s.unit());
            }
        }
        List<TypeInfo> out = new ArrayList<>(types.size());
        types.forEach((name, unit) -> out.add(new TypeInfo(name, unit)));
        return out;
    }

    /** Names of the metrics among the series, sorted. */
    public static List<String> metricNames(Iterable<? extends Listed> series) {
        TreeSet<String> names = new TreeSet<>();
        for (Listed s : series) {
            if (isMetric(s)) {
                names.add(s.type().substring(METRIC_PREFIX.length()));
            }
        }
        return List.copyOf(names);
    }
}
