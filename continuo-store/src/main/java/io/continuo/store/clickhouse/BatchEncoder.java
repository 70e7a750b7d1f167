package io.continuo.store.clickhouse;

import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.StackTable;
import io.continuo.store.MetricPoint;
import io.continuo.store.SeriesRows;
import io.continuo.store.TraceRows;
import io.continuo.store.WriteBatch;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns uploads into RowBinary rows for one group commit: samples and trace rows keyed by content-hashed stack ids,
 * plus the frames, stacks and series rows not yet known to be in ClickHouse. Ids are the DuckDB engine's hashes
 * ({@link io.continuo.model.Hashing#stackId}, {@link Frame#id()}), so both engines name a stack alike.
 */
final class BatchEncoder {
    static final String FRAME_COLUMNS = "frame_id, name, file";
    static final String STACK_COLUMNS = "stack_id, parent_id, frame_id, frame_ids";
    static final String SERIES_COLUMNS = "tenant, series_id, type, unit, labels, label_names, label_values, service, "
            + "created_ms";
    static final String SAMPLE_COLUMNS = "tenant, type, series_id, ts, stack_id, value";
    static final String TRACE_COLUMNS = "tenant, type, series_id, ts, trace_id, span_id, stack_id, value";
    static final String METRIC_COLUMNS = "tenant, series_id, ts, name, value";

    /** What a series row needs; created in this group when not known to exist. */
    record NewSeries(String tenant, String type, String unit, Labels labels) {
    }

    private final StackDictionary dictionary;
    final RowBinaryOutput frames = new RowBinaryOutput(4096);
    final RowBinaryOutput stacks = new RowBinaryOutput(4096);
    final RowBinaryOutput series = new RowBinaryOutput(1024);
    final RowBinaryOutput samples = new RowBinaryOutput(64 * 1024);
    final RowBinaryOutput traces = new RowBinaryOutput(1024);
    final RowBinaryOutput metrics = new RowBinaryOutput(1024);
    /** Rows added in this group; on success they are recorded as stored. */
    final Map<Long, long[]> newStacks = new HashMap<>();
    final Map<Long, String> newFrames = new HashMap<>();
    final Map<Long, NewSeries> newSeries = new LinkedHashMap<>();

    BatchEncoder(StackDictionary dictionary) {
        this.dictionary = dictionary;
    }

    /** Adds a series row unless the series is known or already added; {@code known} says what the writer knows. */
    long series(String tenant, String type, String unit, Labels labels, java.util.function.LongPredicate known) {
        long id = SeriesIndex.seriesId(tenant, type, labels);
        if (known.test(id) || newSeries.containsKey(id)) {
            return id;
        }
        newSeries.put(id, new NewSeries(tenant, type, unit, labels));
        String[] names = new String[labels.size()];
        String[] values = new String[labels.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels.name(i);
            values[i] = labels.value(i);
        }
        String service = labels.get(Labels.SERVICE);
        series.string(tenant).int64(id).string(type).string(unit).string(labels.toString())
                .stringArray(names).stringArray(values).string(service == null ? "" : service)
                .int64(System.currentTimeMillis()).endRow();
        return id;
    }

    void batch(String tenant, WriteBatch b, java.util.function.LongPredicate knownSeries) {
        if (b.series().isEmpty() && b.traces().isEmpty()) {
            return;
        }
        SourceStacks source = new SourceStacks(b.source());
        long ts = b.fromMillis();
        for (SeriesRows r : b.series()) {
            long id = series(tenant, r.type().name(), r.type().unit(), r.labels(), knownSeries);
            TreeMap<Long, Long> rows = aggregate(source, r.stacks(), r.values(), r.count());
            rows.forEach((stack, value) -> samples.string(tenant).string(r.type().name()).int64(id).int64(ts)
                    .int64(stack).int64(value).endRow());
        }
        for (TraceRows r : b.traces()) {
            long id = series(tenant, r.type().name(), r.type().unit(), r.labels(), knownSeries);
            TreeMap<Long, Long> rows = aggregate(source, r.stacks(), r.values(), r.count());
            rows.forEach((stack, value) -> traces.string(tenant).string(r.type().name()).int64(id).int64(ts)
                    .string(r.traceId()).string(r.spanId()).int64(stack).int64(value).endRow());
        }
    }

    void metrics(String tenant, Labels labels, List<MetricPoint> points, java.util.function.LongPredicate known) {
        for (MetricPoint p : points) {
            long id = series(tenant, SeriesIndex.METRIC_PREFIX + p.name(), "", labels, known);
            metrics.string(tenant).int64(id).int64(p.timestampMillis()).string(p.name()).float64(p.value()).endRow();
        }
    }

    /**
     * Sums one series' rows by stored stack id, zeros and the empty root stack dropped: source stacks that differ
     * only in line numbers are one stored stack, as in the DuckDB engine.
     */
    private TreeMap<Long, Long> aggregate(SourceStacks source, int[] stackIndexes, long[] values, int count) {
        TreeMap<Long, Long> rows = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            if (values[i] == 0 || stackIndexes[i] == StackTable.ROOT) {
                continue;
            }
            long id = source.id(stackIndexes[i]);
            rows.merge(id, values[i], Long::sum);
        }
        rows.values().removeIf(v -> v == 0);
        return rows;
    }

    /** Memoised hashes of one upload's source stacks; new stacks and frames are added as rows on first sight. */
    private final class SourceStacks {
        private final Profile profile;
        private final StackTable table;
        private final long[] ids;
        private final boolean[] done;
        private final long[] frameIds;
        private final boolean[] frameDone;
        private int[] chain = new int[64];

        SourceStacks(Profile profile) {
            this.profile = profile;
            this.table = profile.stacks();
            this.ids = new long[table.size()];
            this.done = new boolean[table.size()];
            this.frameIds = new long[profile.frames().size()];
            this.frameDone = new boolean[profile.frames().size()];
            done[StackTable.ROOT] = true;
        }

        /** The content hash of source stack {@code s}; iterative, so a 4,096-deep stack cannot overflow. */
        long id(int s) {
            if (!done[s]) {
                int depth = 0;
                for (int cur = s; !done[cur]; cur = table.parent(cur)) {
                    if (depth == chain.length) {
                        chain = Arrays.copyOf(chain, depth * 2);
                    }
                    chain[depth++] = cur;
                }
                for (int i = depth - 1; i >= 0; i--) {
                    int node = chain[i];
                    ids[node] = io.continuo.model.Hashing.stackId(ids[table.parent(node)], frameId(table.frame(node)));
                    done[node] = true;
                }
            }
            long id = ids[s];
            if (!dictionary.isStored(id) && !newStacks.containsKey(id)) {
                addStack(s, id);
            }
            return id;
        }

        private long frameId(int f) {
            if (!frameDone[f]) {
                Frame frame = profile.frames().get(f);
                long id = frame.id();
                frameIds[f] = id;
                frameDone[f] = true;
                if (!dictionary.hasFrame(id) && !newFrames.containsKey(id)) {
                    newFrames.put(id, frame.name());
                    frames.int64(id).string(frame.name()).string(frame.file()).endRow();
                }
            }
            return frameIds[f];
        }

        private void addStack(int s, long id) {
            int depth = 0;
            for (int cur = s; cur != StackTable.ROOT; cur = table.parent(cur)) {
                depth++;
            }
            long[] path = new long[depth];
            int i = depth;
            for (int cur = s; cur != StackTable.ROOT; cur = table.parent(cur)) {
                path[--i] = frameIds[table.frame(cur)];
            }
            long parent = ids[table.parent(s)];
            newStacks.put(id, path);
            stacks.int64(id).int64(parent).int64(path[depth - 1]).int64Array(path, depth).endRow();
        }
    }
}
