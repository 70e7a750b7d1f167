package io.continuo.server.pyroscope;

import io.continuo.model.Labels;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.SeriesFilter;
import io.continuo.store.Steps;
import io.continuo.store.TimeSeries;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SelectSeries' AVERAGE aggregation over the store's per-series totals. */
final class SeriesAverages {
    private SeriesAverages() {
    }

    /**
     * Pyroscope's average aggregation: per step, the mean over the series of a group that have a value in it (so
     * one snapshot per instance, such as in-use memory, is not added up across uploads of the same series).
     */
    static List<TimeSeries> of(ProfileStore store, ProfileQuery q, long step, List<String> groupBy) {
        List<String> all = new ArrayList<>(store.labelNames(new SeriesFilter(q.tenant(), q.selector(), q.fromMillis(), q.untilMillis())));
        all.remove(Labels.SPAN_ID);
        all.remove(Labels.TRACE_ID);
        Map<Labels, double[][]> groups = new LinkedHashMap<>();
        long[] timestamps = null;
        for (TimeSeries s : store.totals(q, step, all)) {
            timestamps = s.timestamps();
            double[][] g = groups.computeIfAbsent(Steps.groupLabels(s.labels(), groupBy),
                    k -> new double[2][s.values().length]);
            for (int i = 0; i < s.values().length; i++) {
                if (s.values()[i] != 0) {
                    g[0][i] += s.values()[i];
                    g[1][i]++;
                }
            }
        }
        List<TimeSeries> out = new ArrayList<>();
        for (Map.Entry<Labels, double[][]> e : groups.entrySet()) {
            double[][] g = e.getValue();
            double[] values = new double[g[0].length];
            for (int i = 0; i < values.length; i++) {
                values[i] = g[1][i] == 0 ? 0 : g[0][i] / g[1][i];
            }
            out.add(new TimeSeries(e.getKey(), timestamps, values));
        }
        out.sort(Comparator.comparing(s -> s.labels().toString()));
        return out;
    }

}
