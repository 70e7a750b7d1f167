package io.continuo.server.insights;

import io.continuo.model.FlameTree;
import io.continuo.model.FunctionStat;
import io.continuo.model.Labels;
import io.continuo.model.Selector;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.TimeSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dollars from profiles. CPU: nanoseconds of the cpu profile / 3.6e12 = core-hours. Memory: inuse_bytes profiles
 * are snapshots, so a group's GB-hours are the mean in-use bytes over the buckets that have a snapshot (summed over
 * the instances reporting in that bucket) times the hours of the range; a function's share of that is its share of
 * the merged in-use profile. Monthly figures scale the range to 730 hours.
 */
final class CostCalculator {
    static final double NANOS_PER_CORE_HOUR = 3.6e12;
    static final double BYTES_PER_GB = 1L << 30;
    static final double HOURS_PER_MONTH = 730;
    private static final long SNAPSHOT_STEP_MS = 60_000;
    private static final int MAX_ITEMS = 500;
    private static final int TOP_FUNCTIONS = 10;

    private final ProfileStore store;
    private final double perCoreHour;
    private final double perGbHour;

    CostCalculator(ProfileStore store, double perCoreHour, double perGbHour) {
        this.store = store;
        this.perCoreHour = perCoreHour;
        this.perGbHour = perGbHour;
    }

    Map<String, Object> cost(String tenant, Selector selector, long from, long until, String groupBy) {
        double hours = (until - from) / 3_600_000.0;
        Map<String, double[]> items = new TreeMap<>();
        if (groupBy.equals("function")) {
            FlameTree cpu = store.flameGraph(new ProfileQuery(tenant, "cpu", selector, from, until));
            for (FunctionStat f : cpu.topFunctions(0)) {
                items.computeIfAbsent(f.name(), k -> new double[2])[0] = f.self() / NANOS_PER_CORE_HOUR;
            }
            double gbHours = memoryGbHours(tenant, selector, from, until, List.of()).getOrDefault("", 0.0);
            FlameTree inuse = store.flameGraph(new ProfileQuery(tenant, "inuse_bytes", selector, from, until));
            if (inuse.total() > 0) {
                for (FunctionStat f : inuse.topFunctions(0)) {
                    items.computeIfAbsent(f.name(), k -> new double[2])[1] = gbHours * f.self() / inuse.total();
                }
            }
        } else {
            List<String> by = List.of(groupBy);
            for (TimeSeries s : store.totals(new ProfileQuery(tenant, "cpu", selector, from, until), until - from, by)) {
                double sum = 0;
                for (double v : s.values()) {
                    sum += v;
                }
                items.computeIfAbsent(name(s.labels(), groupBy), k -> new double[2])[0] += sum / NANOS_PER_CORE_HOUR;
            }
            memoryGbHours(tenant, selector, from, until, by).forEach((k, gb) ->
                    items.computeIfAbsent(k, x -> new double[2])[1] += gb);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        double[] total = new double[2];
        items.forEach((name, v) -> {
            total[0] += v[0];
            total[1] += v[1];
            rows.add(row(name, v[0], v[1], hours));
        });
        rows.sort((a, b) -> Double.compare((double) b.get("cost"), (double) a.get("cost")));
        List<Map<String, Object>> top = new ArrayList<>();
        if (groupBy.equals("function")) {
            for (Map<String, Object> r : rows.subList(0, Math.min(TOP_FUNCTIONS, rows.size()))) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", r.get("name"));
                t.put("monthlyCost", r.get("monthlyCost"));
                t.put("summary", r.get("name") + " costs " + Fmt.dollars((double) r.get("monthlyCost")) + "/month");
                top.add(t);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from);
        body.put("until", until);
        body.put("query", selector.toString());
        body.put("groupBy", groupBy);
        body.put("prices", Map.of("perCoreHour", perCoreHour, "perGbHour", perGbHour, "currency", "USD"));
        body.put("rangeHours", hours);
        body.put("total", row("total", total[0], total[1], hours));
        body.put("items", rows.subList(0, Math.min(MAX_ITEMS, rows.size())));
        if (groupBy.equals("function")) {
            body.put("topFunctions", top);
        }
        return body;
    }

    private Map<String, Double> memoryGbHours(String tenant, Selector selector, long from, long until, List<String> by) {
        long step = Math.max(SNAPSHOT_STEP_MS, (until - from) / 10_000);
        Map<String, Double> out = new LinkedHashMap<>();
        double hours = (until - from) / 3_600_000.0;
        for (TimeSeries s : store.totals(new ProfileQuery(tenant, "inuse_bytes", selector, from, until), step, by)) {
            double sum = 0;
            int n = 0;
            for (double v : s.values()) {
                if (v != 0) {
                    sum += v;
                    n++;
                }
            }
            if (n > 0) {
                out.merge(by.isEmpty() ? "" : name(s.labels(), by.get(0)), sum / n / BYTES_PER_GB * hours, Double::sum);
            }
        }
        return out;
    }

    private static String name(Labels labels, String groupBy) {
        String v = labels.get(groupBy);
        return v == null ? "(none)" : v;
    }

    private Map<String, Object> row(String name, double coreHours, double gbHours, double hours) {
        Map<String, Object> m = new LinkedHashMap<>();
        double cpu = coreHours * perCoreHour;
        double mem = gbHours * perGbHour;
        m.put("name", name);
        m.put("cpuCoreHours", coreHours);
        m.put("memoryGbHours", gbHours);
        m.put("cpuCost", cpu);
        m.put("memoryCost", mem);
        m.put("cost", cpu + mem);
        m.put("monthlyCost", hours > 0 ? (cpu + mem) / hours * HOURS_PER_MONTH : 0);
        return m;
    }
}
