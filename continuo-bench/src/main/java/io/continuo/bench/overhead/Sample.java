package io.continuo.bench.overhead;

import java.util.HashMap;
import java.util.Map;

/**
 * What one child run measured over its window ({@link MixedWorkload}'s result line), plus the CPU the driver's JVM
 * (the in-process Continuo server) used while the child ran.
 */
record Sample(String setup, int round, double opsPerSec, double p99Us, double cpuSeconds, long ops, long gcCount,
              long gcMillis, long rssKb, long hwmKb, double serverCpuSeconds, long jfrBytes) {

    /** CPU seconds of the child per million requests: the machine-independent cost of a request. */
    double cpuPerMillionOps() {
        return ops == 0 ? Double.NaN : cpuSeconds * 1e6 / ops;
    }

    static Sample parse(String setup, int round, String line, double serverCpuSeconds, long jfrBytes) {
        if (!line.startsWith(MixedWorkload.RESULT_PREFIX)) {
            throw new IllegalArgumentException("not a result line: " + line);
        }
        Map<String, String> f = new HashMap<>();
        for (String part : line.substring(MixedWorkload.RESULT_PREFIX.length()).trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq > 0) f.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Sample(setup, round, d(f, "opsPerSec"), d(f, "p99Us"), d(f, "cpuSeconds"), (long) d(f, "ops"),
                (long) d(f, "gcCount"), (long) d(f, "gcMillis"), (long) d(f, "rssKb"), (long) d(f, "hwmKb"),
                serverCpuSeconds, jfrBytes);
    }

    private static double d(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) throw new IllegalArgumentException("result line lacks " + key + ": " + fields);
        return Double.parseDouble(v);
    }
}
