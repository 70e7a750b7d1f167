package io.continuo.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The server's own metrics in the Prometheus text format: ingest counters, rejections by reason, store size gauges
 * and query latency histograms. Lock-free on the recording side (adders); the text is assembled only when scraped.
 */
public final class ServerMetrics {
    private static final double[] LATENCY_BUCKETS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private static final String TENANT_LABEL = "tenant";

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
    private final Map<String, String> gaugeHelp = new ConcurrentHashMap<>();

    public void inc(String name, String help, String labelName, String labelValue, long by) {
        Family family = families.computeIfAbsent(name, n -> new Family(n, help, false));
        family.counter(labelName == null ? "" : labelName + "=\"" + escape(labelValue) + "\"").add(by);
    }

    /**
     * A counter kept per tenant: its series carry a {@code tenant} label, and {@link #scrape(String)} shows them only to
     * a viewer of that tenant, so one tenant's names (services, ...) are never visible to another.
     */
    public void incForTenant(String name, String help, String tenant, String labelName, String labelValue, long by) {
        Family family = families.computeIfAbsent(name, n -> new Family(n, help, false));
        family.counter(TENANT_LABEL + "=\"" + escape(tenant) + "\"," + labelName + "=\"" + escape(labelValue) + "\"").add(by);
    }

    public void inc(String name, String help, long by) {
        inc(name, help, null, null, by);
    }

    public void observeSeconds(String name, String help, String labelName, String labelValue, double seconds) {
        Family family = families.computeIfAbsent(name, n -> new Family(n, help, true));
        family.histogram(labelName + "=\"" + escape(labelValue) + "\"").observe(seconds);
    }

    public void gauge(String name, String help, DoubleSupplier supplier) {
        gauges.put(name, supplier);
        gaugeHelp.put(name, help);
    }

    /** The current value of a counter with the given label (0 when never incremented); for tests and logs. */
    public long counterValue(String name, String labelName, String labelValue) {
        Family family = families.get(name);
        if (family == null) {
            return 0;
        }
        LongAdder adder = family.counters.get(labelName == null ? "" : labelName + "=\"" + escape(labelValue) + "\"");
        return adder == null ? 0 : adder.sum();
    }

    /** Everything, every tenant's series included: for an operator (or a server without keys). */
    public String scrape() {
        return scrape("");
    }

    /**
     * @param viewerTenant "" for every tenant's series, a tenant's name for only its own, null for none of the
     *                     per-tenant series (an unauthenticated scrape with {@code --metrics-public})
     */
    public String scrape(String viewerTenant) {
        String visiblePrefix = viewerTenant == null || viewerTenant.isEmpty() ? null
                : TENANT_LABEL + "=\"" + escape(viewerTenant) + "\",";
        StringBuilder sb = new StringBuilder(4096);
        List<String> names = new ArrayList<>(families.keySet());
        names.sort(null);
        for (String name : names) {
            families.get(name).write(sb, labels -> !labels.startsWith(TENANT_LABEL + "=")
                    || "".equals(viewerTenant) || (visiblePrefix != null && labels.startsWith(visiblePrefix)));
        }
        List<String> gaugeNames = new ArrayList<>(gauges.keySet());
        gaugeNames.sort(null);
        for (String name : gaugeNames) {
            double v;
            try {
                v = gauges.get(name).getAsDouble();
            } catch (RuntimeException e) {
                continue;
            }
            sb.append("# HELP ").append(name).append(' ').append(gaugeHelp.get(name)).append('\n');
            sb.append("# TYPE ").append(name).append(" gauge\n");
            sb.append(name).append(' ').append(format(v)).append('\n');
        }
        return sb.toString();
    }

    private static String escape(String v) {
        return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static final class Family {
        final String name;
        final String help;
        final boolean histogram;
        final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
        final Map<String, Histogram> histograms = new ConcurrentHashMap<>();

        Family(String name, String help, boolean histogram) {
            this.name = name;
            this.help = help;
            this.histogram = histogram;
        }

        LongAdder counter(String labels) {
            return counters.computeIfAbsent(labels, l -> new LongAdder());
        }

        Histogram histogram(String labels) {
            return histograms.computeIfAbsent(labels, l -> new Histogram());
        }

        void write(StringBuilder sb, java.util.function.Predicate<String> visible) {
            sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
            sb.append("# TYPE ").append(name).append(histogram ? " histogram\n" : " counter\n");
            if (!histogram) {
                counters.entrySet().stream().filter(e -> visible.test(e.getKey())).sorted(Map.Entry.comparingByKey()).forEach(e -> {
                    sb.append(name);
                    if (!e.getKey().isEmpty()) {
                        sb.append('{').append(e.getKey()).append('}');
                    }
                    sb.append(' ').append(e.getValue().sum()).append('\n');
                });
                return;
            }
            histograms.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> e.getValue().write(sb, name, e.getKey()));
        }
    }

    private static final class Histogram {
        final AtomicLongArray buckets = new AtomicLongArray(LATENCY_BUCKETS_SECONDS.length + 1);
        final DoubleAdder sum = new DoubleAdder();

        void observe(double seconds) {
            int i = 0;
            while (i < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[i]) {
                i++;
            }
            buckets.incrementAndGet(i);
            sum.add(seconds);
        }

        void write(StringBuilder sb, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i <= LATENCY_BUCKETS_SECONDS.length; i++) {
                cumulative += buckets.get(i);
                String le = i < LATENCY_BUCKETS_SECONDS.length ? format(LATENCY_BUCKETS_SECONDS[i]) : "+Inf";
                sb.append(name).append("_bucket{").append(labels).append(",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            sb.append(name).append("_sum{").append(labels).append("} ").append(format(sum.sum())).append('\n');
            sb.append(name).append("_count{").append(labels).append("} ").append(cumulative).append('\n');
        }
    }
}
