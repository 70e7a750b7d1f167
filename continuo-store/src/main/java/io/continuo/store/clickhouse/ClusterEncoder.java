package io.continuo.store.clickhouse;

import io.continuo.model.Frame;
import io.continuo.model.Hashing;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.StackTable;
import io.continuo.store.MetricPoint;
import io.continuo.store.RangeSplit;
import io.continuo.store.SeriesRows;
import io.continuo.store.TraceRows;
import io.continuo.store.WriteBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * One upload as the blocks a cluster stores, per shard (see {@link ClusterSchema}): raw samples and trace rows, the rollups,
 * totals and series hours a single server's materialized views would derive, and the dictionary rows each shard
 * lacks, tagged with the series whose shard must hold them. Every block is a function of the upload alone (rows in
 * sorted order, the upload's content hash in derived rows), so a retry produces byte-identical blocks that
 * replicated deduplication drops, and two different uploads never produce identical rollup or totals blocks.
 * Series rows are the exception (they carry a creation time): a repeated series row is absorbed by its
 * ReplacingMergeTree.
 */
final class ClusterEncoder {
    static final String FRAME_COLUMNS = BatchEncoder.FRAME_COLUMNS + ", " + ClusterSchema.SHARD_KEY;
    static final String STACK_COLUMNS = BatchEncoder.STACK_COLUMNS + ", " + ClusterSchema.SHARD_KEY;
    static final String ROLLUP_COLUMNS = BatchEncoder.SAMPLE_COLUMNS + ", " + ClusterSchema.UPLOAD;
    static final String TOTAL_COLUMNS = "tenant, type, series_id, ts, value, " + ClusterSchema.UPLOAD;
    static final String HOUR_COLUMNS = "tenant, type, hour, series_id";

    /** The tables an upload writes, in sending order: dictionaries first, samples last, so readers never meet a
     * stack they cannot name. */
    enum Table {
        FRAMES("frames", FRAME_COLUMNS), STACKS("stacks", STACK_COLUMNS), SERIES("series", BatchEncoder.SERIES_COLUMNS),
        HOURS("series_hours", HOUR_COLUMNS), METRICS("metrics", BatchEncoder.METRIC_COLUMNS),
        TRACES("trace_samples", BatchEncoder.TRACE_COLUMNS), MINUTES("samples_1m", ROLLUP_COLUMNS),
        HOURLY("samples_1h", ROLLUP_COLUMNS), TOTALS("totals", TOTAL_COLUMNS),
        SAMPLES("samples", BatchEncoder.SAMPLE_COLUMNS);

        final String name;
        final String columns;

        Table(String name, String columns) {
            this.name = name;
            this.columns = columns;
        }
    }

    private final StackDictionary dictionary;
    private final ShardMarks marks;
    private final ClusterTopology topology;
    /** [shard][table]: the upload's rows for one table's local part on one shard; null while empty. */
    private final RowBinaryOutput[][] out;
    /** Dictionary rows this upload adds: (shard, id) pairs, recorded in the marks once stored. */
    private final List<long[]> addedStacks = new ArrayList<>();
    private final List<long[]> addedFrames = new ArrayList<>();
    private final Set<Long> addedStackKeys = new HashSet<>();
    private final Set<Long> addedFrameKeys = new HashSet<>();
    final Map<Long, long[]> newStackPaths = new HashMap<>();
    final Map<Long, String> newFrameNames = new HashMap<>();
    final Set<Long> newSeries = new HashSet<>();
    private final Set<String> hourKeys = new HashSet<>();

    ClusterEncoder(StackDictionary dictionary, ShardMarks marks, ClusterTopology topology) {
        this.dictionary = dictionary;
        this.marks = marks;
        this.topology = topology;
        this.out = new RowBinaryOutput[topology.shardCount()][Table.values().length];
    }

    private RowBinaryOutput out(int shard, Table table) {
        RowBinaryOutput o = out[shard][table.ordinal()];
        if (o == null) {
            o = new RowBinaryOutput(table == Table.SAMPLES ? 8192 : 512);
            out[shard][table.ordinal()] = o;
        }
        return o;
    }

    private RowBinaryOutput out(long seriesId, Table table) {
        return out(topology.shardOf(seriesId), table);
    }

    /** The rows for one shard and table, or null when the upload has none there. */
    RowBinaryOutput rows(int shard, Table table) {
        RowBinaryOutput o = out[shard][table.ordinal()];
        return o == null || o.rows() == 0 ? null : o;
    }

    int shardCount() {
        return out.length;
    }

    /** Records what the shards now hold; call once every block was acknowledged. */
    void stored() {
        for (long[] s : addedStacks) {
            marks.markStack((int) s[0], s[1]);
        }
        for (long[] f : addedFrames) {
            marks.markFrame((int) f[0], f[1]);
        }
        newStackPaths.forEach(dictionary::markStored);
        newFrameNames.forEach(dictionary::markFrame);
    }

    private long series(String tenant, String type, String unit, Labels labels, LongPredicate known) {
        long id = SeriesIndex.seriesId(tenant, type, labels);
        if (known.test(id) || !newSeries.add(id)) {
            return id;
        }
        String[] names = new String[labels.size()];
        String[] values = new String[labels.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels.name(i);
            values[i] = labels.value(i);
        }
        String service = labels.get(Labels.SERVICE);
        out(id, Table.SERIES).string(tenant).int64(id).string(type).string(unit).string(labels.toString())
                .stringArray(names).stringArray(values).string(service == null ? "" : service)
                .int64(System.currentTimeMillis()).endRow();
        return id;
    }

    private void hour(String tenant, String type, long ts, long seriesId) {
        long hour = RangeSplit.floor(ts, RangeSplit.HOUR);
        if (hourKeys.add(type + '\u0000' + hour + '\u0000' + seriesId)) {
            out(seriesId, Table.HOURS).string(tenant).string(type).int64(hour).int64(seriesId).endRow();
        }
    }

    void batch(String tenant, WriteBatch b, LongPredicate knownSeries) {
        if (b.series().isEmpty() && b.traces().isEmpty()) {
            return;
        }
        SourceStacks source = new SourceStacks(b.source());
        long ts = b.fromMillis();
        List<Object[]> rowsBySeries = new ArrayList<>(b.series().size());
        for (SeriesRows r : b.series()) {
            long id = series(tenant, r.type().name(), r.type().unit(), r.labels(), knownSeries);
            TreeMap<Long, Long> rows = source.aggregate(id, r.stacks(), r.values(), r.count());
            RowBinaryOutput samples = out(id, Table.SAMPLES);
            rows.forEach((stack, value) -> samples.string(tenant).string(r.type().name()).int64(id).int64(ts)
                    .int64(stack).int64(value).endRow());
            hour(tenant, r.type().name(), ts, id);
            rowsBySeries.add(new Object[]{r.type().name(), id, rows});
        }
        for (TraceRows r : b.traces()) {
            long id = series(tenant, r.type().name(), r.type().unit(), r.labels(), knownSeries);
            TreeMap<Long, Long> rows = source.aggregate(id, r.stacks(), r.values(), r.count());
            RowBinaryOutput traces = out(id, Table.TRACES);
            rows.forEach((stack, value) -> traces.string(tenant).string(r.type().name()).int64(id).int64(ts)
                    .string(r.traceId()).string(r.spanId()).int64(stack).int64(value).endRow());
            hour(tenant, r.type().name(), ts, id);
        }
        long upload = ts;
        for (int shard = 0; shard < out.length; shard++) {
            for (Table t : List.of(Table.SAMPLES, Table.TRACES)) {
                RowBinaryOutput o = rows(shard, t);
                upload = contentHash(o == null ? new byte[0] : o.toByteArray(), upload);
            }
        }
        long minute = RangeSplit.floor(ts, RangeSplit.MINUTE);
        long hour = RangeSplit.floor(ts, RangeSplit.HOUR);
        for (Object[] s : rowsBySeries) {
            String type = (String) s[0];
            long id = (Long) s[1];
            @SuppressWarnings("unchecked")
            TreeMap<Long, Long> rows = (TreeMap<Long, Long>) s[2];
            long total = 0;
            RowBinaryOutput minutes = out(id, Table.MINUTES);
            RowBinaryOutput hourRollup = out(id, Table.HOURLY);
            for (Map.Entry<Long, Long> e : rows.entrySet()) {
                minutes.string(tenant).string(type).int64(id).int64(minute).int64(e.getKey()).int64(e.getValue())
                        .int64(upload).endRow();
                hourRollup.string(tenant).string(type).int64(id).int64(hour).int64(e.getKey()).int64(e.getValue())
                        .int64(upload).endRow();
                total += e.getValue();
            }
            if (!rows.isEmpty()) {
                out(id, Table.TOTALS).string(tenant).string(type).int64(id).int64(ts).int64(total).int64(upload).endRow();
            }
        }
    }

    void metrics(String tenant, Labels labels, List<MetricPoint> points, LongPredicate known) {
        for (MetricPoint p : points) {
            String type = SeriesIndex.METRIC_PREFIX + p.name();
            long id = series(tenant, type, "", labels, known);
            out(id, Table.METRICS).string(tenant).int64(id).int64(p.timestampMillis()).string(p.name()).float64(p.value()).endRow();
            hour(tenant, type, p.timestampMillis(), id);
        }
    }

    private static long contentHash(byte[] bytes, long seed) {
        long h = Hashing.mix(seed ^ bytes.length);
        for (byte x : bytes) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        return Hashing.mix(h);
    }

    /** Memoised hashes of one upload's source stacks; dictionary rows added per shard on first need. */
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

        /** One series' rows summed by stored stack id (zeros and the root dropped), as BatchEncoder does. */
        TreeMap<Long, Long> aggregate(long seriesId, int[] stackIndexes, long[] values, int count) {
            int shard = topology.shardOf(seriesId);
            TreeMap<Long, Long> rows = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                if (values[i] == 0 || stackIndexes[i] == StackTable.ROOT) {
                    continue;
                }
                long id = id(stackIndexes[i]);
                if (!marks.hasStack(shard, id) && addedStackKeys.add(Hashing.combine(shard, id))) {
                    addStack(stackIndexes[i], id, shard, seriesId);
                }
                rows.merge(id, values[i], Long::sum);
            }
            rows.values().removeIf(v -> v == 0);
            return rows;
        }

        /** The content hash of source stack {@code s}; iterative, so a 4,096-deep stack cannot overflow. */
        private long id(int s) {
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
                    ids[node] = Hashing.stackId(ids[table.parent(node)], frameId(table.frame(node)));
                    done[node] = true;
                }
            }
            return ids[s];
        }

        private long frameId(int f) {
            if (!frameDone[f]) {
                frameIds[f] = profile.frames().get(f).id();
                frameDone[f] = true;
            }
            return frameIds[f];
        }

        /** A stack row for one shard, with the frame rows of its path that shard lacks. */
        private void addStack(int s, long id, int shard, long shardKey) {
            int depth = 0;
            for (int cur = s; cur != StackTable.ROOT; cur = table.parent(cur)) {
                depth++;
            }
            long[] path = new long[depth];
            int i = depth;
            for (int cur = s; cur != StackTable.ROOT; cur = table.parent(cur)) {
                int f = table.frame(cur);
                long frameId = frameId(f);
                path[--i] = frameId;
                if (!marks.hasFrame(shard, frameId) && addedFrameKeys.add(Hashing.combine(shard, frameId))) {
                    Frame frame = profile.frames().get(f);
                    out(shard, Table.FRAMES).int64(frameId).string(frame.name()).string(frame.file()).int64(shardKey).endRow();
                    addedFrames.add(new long[]{shard, frameId});
                    newFrameNames.put(frameId, frame.name());
                }
            }
            out(shard, Table.STACKS).int64(id).int64(ids[table.parent(s)]).int64(path[depth - 1]).int64Array(path, depth)
                    .int64(shardKey).endRow();
            addedStacks.add(new long[]{shard, id});
            newStackPaths.put(id, path);
        }
    }
}
