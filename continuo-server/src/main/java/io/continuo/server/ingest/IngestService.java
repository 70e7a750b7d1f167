package io.continuo.server.ingest;

import io.continuo.model.LabelLimits;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileType;
import io.continuo.model.ValidationException;
import io.continuo.server.metrics.ServerMetrics;
import io.continuo.store.ProfileStore;
import io.continuo.store.SeriesRows;
import io.continuo.store.TraceRows;
import io.continuo.store.WriteBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a decoded profile and its labels into rows of the store: one series per (labels, type), sample labels
 * merged into the series labels except trace and span ids, which go to trace rows of their own.
 */
public final class IngestService {
    /** pprof's plain sample count next to a cpu column adds nothing but rows. */
    private static final String REDUNDANT_SAMPLES_TYPE = "samples";

    private final ProfileStore store;
    private final LabelLimits limits;
    private final ServerMetrics metrics;

    public IngestService(ProfileStore store, LabelLimits limits, ServerMetrics metrics) {
        this.store = store;
        this.limits = limits;
        this.metrics = metrics;
    }

    /** Stores a profile; durable when this returns. Returns the number of (stack, value) rows written. */
    public long ingest(String tenant, Labels labels, Profile profile, long fromMillis, long untilMillis) {
        String service = labels.get(Labels.SERVICE);
        if (service == null || service.isBlank()) {
            throw new ValidationException("missing service name: give 'service' (or Pyroscope 'name')");
        }
        limits.check(labels);
        if (untilMillis < fromMillis) {
            throw new ValidationException("inverted time range: from " + fromMillis + " is after until " + untilMillis);
        }
        List<Labels> seriesLabelsBySet = new ArrayList<>();
        String[] traceIds = new String[profile.labelSets().size()];
        String[] spanIds = new String[traceIds.length];
        for (int i = 0; i < profile.labelSets().size(); i++) {
            Labels sampleLabels = profile.labelSets().get(i);
            traceIds[i] = sampleLabels.get(Labels.TRACE_ID);
            spanIds[i] = sampleLabels.get(Labels.SPAN_ID);
            Labels merged = labels.merge(seriesPart(sampleLabels));
            seriesLabelsBySet.add(limits.check(merged));
        }
        boolean hasCpu = profile.typeIndex(ProfileType.CPU.name()) >= 0;
        List<SeriesRows> series = new ArrayList<>();
        List<TraceRows> traces = new ArrayList<>();
        long rows = 0;
        for (int t = 0; t < profile.types().size(); t++) {
            ProfileType type = profile.types().get(t);
            if (hasCpu && type.name().equals(REDUNDANT_SAMPLES_TYPE)) {
                continue;
            }
            Map<Labels, RowsBuilder> bySeries = new LinkedHashMap<>();
            Map<TraceKey, RowsBuilder> byTrace = new HashMap<>();
            for (int s = 0; s < profile.sampleCount(); s++) {
                long v = profile.value(s, t);
                if (v == 0) {
                    continue;
                }
                int set = profile.sampleLabelIndex(s);
                Labels seriesLabels = seriesLabelsBySet.get(set);
                bySeries.computeIfAbsent(seriesLabels, l -> new RowsBuilder()).add(profile.stack(s), v);
                if (traceIds[set] != null || spanIds[set] != null) {
                    byTrace.computeIfAbsent(new TraceKey(traceIds[set], spanIds[set], seriesLabels), k -> new RowsBuilder())
                            .add(profile.stack(s), v);
                }
            }
            for (Map.Entry<Labels, RowsBuilder> e : bySeries.entrySet()) {
                RowsBuilder b = e.getValue();
                series.add(new SeriesRows(e.getKey(), type, b.stacks, b.values, b.count));
                rows += b.count;
            }
            for (Map.Entry<TraceKey, RowsBuilder> e : byTrace.entrySet()) {
                RowsBuilder b = e.getValue();
                TraceKey k = e.getKey();
                traces.add(new TraceRows(k.traceId == null ? "" : k.traceId, k.spanId == null ? "" : k.spanId,
                        k.labels, type, b.stacks, b.values, b.count));
            }
        }
        if (!series.isEmpty()) {
            store.write(new WriteBatch(tenant, fromMillis, Math.max(fromMillis, untilMillis), profile, series, traces));
        }
        metrics.inc("continuo_ingested_profiles_total", "Profiles stored.", "service", abbreviateService(service), 1);
        metrics.inc("continuo_ingested_rows_total", "(stack, value) rows stored.", rows);
        return rows;
    }

    /** Sample labels that become series labels: all but trace and span ids; thread names lose their numbers. */
    static Labels seriesPart(Labels sampleLabels) {
        if (sampleLabels.isEmpty()) {
            return sampleLabels;
        }
        Labels.Builder b = Labels.builder();
        sampleLabels.forEach((name, value) -> {
            if (name.equals(Labels.TRACE_ID) || name.equals(Labels.SPAN_ID)) {
                return;
            }
            b.put(name, name.equals(Labels.THREAD) ? normalizeThread(value) : value);
        });
        return b.build();
    }

    /**
     * {@code pool-3-thread-17} becomes {@code pool-#-thread-#}: thread pools would otherwise create a series per
     * thread and grow without bound. Only numbers that number a pool or a worker are folded: a number at the end
     * ({@code CompilerThread0}, {@code GC Thread#3}), or one standing between separators ({@code pool-3-},
     * {@code ForkJoinPool-1-worker-}), or a long one glued to a name before a separator (a hash code such as
     * Jetty's {@code qtp1911728085-17}). Digits inside names stay: {@code C2 CompilerThread0} becomes
     * {@code C2 CompilerThread#}, not {@code C# CompilerThread#}; {@code G1 Conc#0} becomes {@code G1 Conc#}.
     */
    static String normalizeThread(String name) {
        int n = Math.min(name.length(), 128);
        StringBuilder sb = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                sb.append(c);
                i++;
                continue;
            }
            int end = i;
            while (end < name.length() && name.charAt(end) >= '0' && name.charAt(end) <= '9') {
                end++;
            }
            boolean atEnd = end == name.length();
            boolean sepBefore = i == 0 || isThreadNameSeparator(name.charAt(i - 1));
            boolean sepAfter = !atEnd && isThreadNameSeparator(name.charAt(end));
            boolean fold = atEnd || sepAfter && (sepBefore || end - i >= 5);
            if (!fold) {
                sb.append(name, i, Math.min(end, n));
            } else if (i == 0 || name.charAt(i - 1) != '#') {
                sb.append('#');
            }
            i = end;
        }
        return sb.toString();
    }

    private static boolean isThreadNameSeparator(char c) {
        return c == '-' || c == '_' || c == '.' || c == ' ' || c == '#' || c == ':' || c == '/' || c == '@'
                || c == '[' || c == ']' || c == '(' || c == ')';
    }

    private static String abbreviateService(String service) {
        return service.length() <= 64 ? service : service.substring(0, 64);
    }

    private record TraceKey(String traceId, String spanId, Labels labels) {
    }

    private static final class RowsBuilder {
        int[] stacks = new int[16];
        long[] values = new long[16];
        int count;

        void add(int stack, long value) {
            if (count == stacks.length) {
                stacks = Arrays.copyOf(stacks, count * 2);
                values = Arrays.copyOf(values, count * 2);
            }
            stacks[count] = stack;
            values[count++] = value;
        }
    }
}
