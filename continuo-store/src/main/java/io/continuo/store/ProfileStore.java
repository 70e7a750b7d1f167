package io.continuo.store;

import io.continuo.model.FlameTree;
import io.continuo.model.Labels;

import java.util.List;

/**
 * Where profiles live. One logical schema (series, frames, content-hashed stacks, samples, rollups, trace rows,
 * runtime metrics) behind one interface, so the embedded DuckDB engine and a ClickHouse engine are interchangeable.
 * Implementations are thread-safe. Times are unix milliseconds; ranges are [from, until).
 */
public interface ProfileStore extends AutoCloseable {

    /**
     * Stores a batch. When this returns the batch is durable: a crash right after loses nothing.
     * Concurrent callers may be committed together (group commit).
     */
    void write(WriteBatch batch);

    /** Stores runtime-metric points (gauges such as heap after GC). Durable on return. */
    void writeMetrics(String tenant, Labels labels, List<MetricPoint> points);

    /** The merged flame graph (one column) of every matching series of one profile type over the range. */
    FlameTree flameGraph(ProfileQuery query);

    /** The merged flame graph of the samples taken while a trace (and optionally one span of it) ran. */
    FlameTree traceFlameGraph(TraceQuery query);

    /** Sums of one profile type per step, one series per distinct value combination of {@code groupBy} labels. */
    List<TimeSeries> totals(ProfileQuery query, long stepMillis, List<String> groupBy);

    /** Averages of one runtime metric per step, grouped likewise. */
    List<TimeSeries> metric(MetricQuery query, long stepMillis, List<String> groupBy);

    /** Label names present on matching series (profile and metric series) in the range, sorted. */
    List<String> labelNames(SeriesFilter filter);

    /** Values of one label on matching series in the range, sorted, at most {@code limit}. */
    List<String> labelValues(SeriesFilter filter, String labelName, int limit);

    /** Profile types present on matching series in the range, with their units. */
    List<TypeInfo> profileTypes(SeriesFilter filter);

    /**
     * Profile types of matching series grouped by the value of {@code labelName} (values sorted, at most
     * {@code limit}): what {@code /api/v1/services} lists. Engines answer it in one pass; this default asks once per
     * value.
     */
    default java.util.Map<String, List<TypeInfo>> profileTypesBy(SeriesFilter filter, String labelName, int limit) {
        java.util.Map<String, List<TypeInfo>> out = new java.util.LinkedHashMap<>();
        for (String value : labelValues(filter, labelName, limit)) {
            io.continuo.model.Selector sel = filter.selector().and(io.continuo.model.LabelMatcher.of(labelName,
                    io.continuo.model.LabelMatcher.Op.EQ, value));
            out.put(value, profileTypes(new SeriesFilter(filter.tenant(), sel, filter.fromMillis(), filter.untilMillis())));
        }
        return out;
    }

    /** Names of runtime metrics present on matching series in the range. */
    List<String> metricNames(SeriesFilter filter);

    /** Trace and span ids seen in the range on matching series (for "traces sampled in this endpoint"). */
    List<TraceSummary> traces(ProfileQuery query, int limit);

    /** The spans of one trace (or the one span asked for) that have samples in the range, largest first. */
    List<TraceSummary> spans(TraceQuery query, int limit);

    /** Deletes data of one profile type (or every type when null) older than the cutoff; returns rows removed. */
    long deleteBefore(String profileType, long cutoffMillis);

    /**
     * Whether the store takes writes now, why not, and its write failures by reason (/healthz, /metrics). Cheap and
     * never blocking: it reads what the engine already knows.
     */
    default StoreHealth health() {
        return StoreHealth.OK;
    }

    /**
     * Parts of the data queries cannot reach right now (e.g. a ClickHouse shard with no live replica): answers leave
     * them out, so callers should mark answers partial while this is not empty. Empty when everything answers.
     */
    default List<String> unavailable() {
        return List.of();
    }

    /** Figures for /metrics and the benchmarks. */
    StoreStats stats();

    @Override
    void close();
}
