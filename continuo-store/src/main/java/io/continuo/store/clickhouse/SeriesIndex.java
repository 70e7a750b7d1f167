package io.continuo.store.clickhouse;

import io.continuo.model.Hashing;
import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.RangeSplit;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds series in the database: those of a tenant and type with data in some hour overlapping the range
 * ({@code series_hours}), narrowed in SQL by the selector's equality matchers and then matched exactly in Java, so
 * regular expressions mean what they mean in the DuckDB engine (java.util.regex, anchored) on both engines.
 * No cache: another server may have created a series a moment ago.
 */
final class SeriesIndex {
    /** Metric series are series whose type is ':' + the metric name, as in the DuckDB engine. */
    static final String METRIC_PREFIX = io.continuo.store.SeriesListing.METRIC_PREFIX;
    /** Type argument of {@link #select}: every series, metrics included. */
    static final String ANY = "*";

    record Series(long id, String type, String unit, Labels labels) implements io.continuo.store.SeriesListing.Listed {
        boolean isMetric() {
            return type.startsWith(METRIC_PREFIX);
        }

        String metricName() {
            return type.substring(METRIC_PREFIX.length());
        }
    }

    /** Above this many series, an id list in SQL text costs more to parse than re-running the selection. */
    static final int MAX_LISTED_IDS = 1_000;

    /**
     * Selected series and the SQL condition that picks their rows: {@code series_id IN (ids)}, or, when there are many
     * and SQL alone selected exactly them (the selector had only equality matchers), the selection as a subquery.
     */
    record Selection(List<Series> series, String condition) {
        boolean isEmpty() {
            return series.isEmpty();
        }
    }

    private final ClickHouseHttp http;

    SeriesIndex(ClickHouseHttp http) {
        this.http = http;
    }

    /** The id of a series on every server and engine run: tenant, type and the sorted labels. */
    static long seriesId(String tenant, String type, Labels labels) {
        return Hashing.combine(Hashing.hash(tenant, type), labels.fingerprint());
    }

    /**
     * Series of a tenant matching a type (null: any profile type; {@link #ANY}: any, metrics included) and a selector,
     * with data in [from, until).
     */
    Selection select(String tenant, String type, Selector selector, long from, long until) {
        if (until <= from) {
            return new Selection(List.of(), "0");
        }
        String typeCondition = typeCondition(type);
        StringBuilder where = new StringBuilder(" FROM series WHERE tenant = ").append(SqlLiterals.quote(tenant))
                .append(typeCondition)
                .append(" AND series_id IN (SELECT series_id FROM series_hours WHERE tenant = ")
                .append(SqlLiterals.quote(tenant)).append(typeCondition)
                .append(" AND hour >= ").append(RangeSplit.floor(from, RangeSplit.HOUR))
                .append(" AND hour < ").append(until).append(')');
        boolean exactInSql = true;
        if (selector != null) {
            for (LabelMatcher m : selector.matchers()) {
                if (m.op() == LabelMatcher.Op.EQ && !m.matchesEmpty()) {
                    where.append(" AND label_values[indexOf(label_names, ").append(SqlLiterals.quote(m.name()))
                            .append(")] = ").append(SqlLiterals.quote(m.value()));
                } else {
                    exactInSql = false;
                }
            }
        }
        RowBinaryInput in = http.query("SELECT series_id, any(type), any(unit), any(label_names), any(label_values)"
                + where + " GROUP BY series_id ORDER BY series_id FORMAT RowBinary");
        List<Series> out = new ArrayList<>();
        while (in.hasMore()) {
            long id = in.int64();
            String t = in.string();
            String unit = in.string();
            String[] names = in.stringArray();
            String[] values = in.stringArray();
            Labels.Builder b = Labels.builder();
            for (int i = 0; i < names.length && i < values.length; i++) {
                b.put(names[i], values[i]);
            }
            Labels labels = b.build();
            if (selector == null || selector.matches(labels)) {
                out.add(new Series(id, t, unit, labels));
            }
        }
        String condition = exactInSql && out.size() > MAX_LISTED_IDS
                ? "series_id IN (SELECT series_id" + where + ")"
                : "series_id IN (" + ids(out) + ")";
        return new Selection(out, out.isEmpty() ? "0" : condition);
    }

    private static String typeCondition(String type) {
        if (type == null) {
            return " AND substring(type, 1, 1) != " + SqlLiterals.quote(METRIC_PREFIX);
        }
        return ANY.equals(type) ? "" : " AND type = " + SqlLiterals.quote(type);
    }

    private static String ids(List<Series> selected) {
        StringBuilder sb = new StringBuilder(selected.size() * 20);
        for (int i = 0; i < selected.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(selected.get(i).id());
        }
        return sb.toString();
    }
}
