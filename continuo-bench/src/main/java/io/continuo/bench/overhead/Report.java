package io.continuo.bench.overhead;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The markdown table: each configuration against the same round's {@code none}, as median (min–max) over rounds. */
final class Report {
    private Report() {}

    static String table(List<Sample> samples, List<String> configs, int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append("| configuration | throughput vs none | p99 latency vs none | CPU per request vs none | RSS vs none (MiB) | GC ms in window | server CPU s per run |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (String c : configs) {
            double[] tput = new double[rounds];
            double[] p99 = new double[rounds];
            double[] cpu = new double[rounds];
            double[] rss = new double[rounds];
            double[] gc = new double[rounds];
            double[] server = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                Sample base = find(samples, Setup.NONE, r);
                Sample s = find(samples, c, r);
                tput[r] = s.opsPerSec() / base.opsPerSec();
                p99[r] = s.p99Us() / base.p99Us();
                cpu[r] = s.cpuPerMillionOps() / base.cpuPerMillionOps();
                rss[r] = (s.rssKb() - base.rssKb()) / 1024.0;
                gc[r] = s.gcMillis();
                server[r] = s.serverCpuSeconds();
            }
            if (c.equals(Setup.NONE)) {
                sb.append(String.format(Locale.ROOT, "| none (absolute) | %s req/s | %s µs | %s s per M req | %s MiB | %s | %s |\n",
                        abs(samples, c, rounds, Sample::opsPerSec, "%.0f"), abs(samples, c, rounds, Sample::p99Us, "%.0f"),
                        abs(samples, c, rounds, Sample::cpuPerMillionOps, "%.1f"), abs(samples, c, rounds, s -> s.rssKb() / 1024.0, "%.0f"),
                        Spread.of(gc).format("%.0f"), Spread.of(server).format("%.1f")));
            } else {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |\n", c,
                        Spread.of(tput).format("%.3f"), Spread.of(p99).format("%.2f"), Spread.of(cpu).format("%.3f"),
                        Spread.of(rss).format("%+.0f"), Spread.of(gc).format("%.0f"), Spread.of(server).format("%.1f")));
            }
        }
        return sb.toString();
    }

    private static String abs(List<Sample> samples, String config, int rounds, ToDoubleFunction<Sample> f, String pattern) {
        double[] v = new double[rounds];
        for (int r = 0; r < rounds; r++) v[r] = f.applyAsDouble(find(samples, config, r));
        return Spread.of(v).format(pattern);
    }

    private static Sample find(List<Sample> samples, String config, int round) {
        for (Sample s : samples) {
            if (s.setup().equals(config) && s.round() == round) return s;
        }
        throw new IllegalStateException("no sample for " + config + " in round " + (round + 1));
    }
}
