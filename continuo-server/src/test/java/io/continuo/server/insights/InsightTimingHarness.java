package io.continuo.server.insights;

import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import io.continuo.store.ProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Not part of the suite (no *Test name): times the detectors on the scenario data and counts their store calls.
 * Run with {@code -Dtest=InsightTimingHarness}; prints, asserts nothing.
 */
class InsightTimingHarness {
    static String describe(Map<String, long[]> calls) {
        StringBuilder sb = new StringBuilder();
        calls.forEach((k, v) -> sb.append(k).append('=').append(v[0]).append('/').append(v[1] / 1_000_000).append("ms "));
        return sb.toString();
    }

    @TempDir
    Path dataDir;

    @Test
    void time() throws Exception {
        try (TestServer server = new TestServer(ServerConfig.defaults().withDataDir(dataDir).withSelfProfile(false))) {
            Scenarios s = new Scenarios(server, System.currentTimeMillis() - Scenarios.HOUR);
            s.leak("leak-shop", 1);
            s.cpuSpike("spike-api", 2);
            s.regression("regress-checkout", 3);
            s.clean("clean-search", 4);
            s.clean("clean-catalog", 5);
            s.upload();
            Map<String, long[]> calls = new TreeMap<>();
            ProfileStore real = server.server().store();
            ProfileStore counting = (ProfileStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{ProfileStore.class}, (p, m, a) -> {
                        long t0 = System.nanoTime();
                        try {
                            return m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        } finally {
                            long[] c = calls.computeIfAbsent(m.getName(), k -> new long[2]);
                            c[0]++;
                            c[1] += System.nanoTime() - t0;
                        }
                    });
            InsightsConfig config = InsightsConfig.defaults();
            long end = s.end;
            long from = end - 6 * Scenarios.HOUR;
            List<Detector> detectors = List.of(new MemoryLeakDetector(config), new SpikeDetector(config), new RegressionDetector(config));
            String[][] selections = {{null, null}, {"regress-checkout", null}, {"regress-checkout", "cpu"}, {"leak-shop", null},
                    {"spike-api", "cpu"}, {null, "cpu"}};
            for (int round = 0; round < 2; round++) {
                for (String[] sel : selections) {
                    // before: the detectors over a plain view (no memo, every type), as the API ran them
                    calls.clear();
                    long t0 = System.nanoTime();
                    StoreView plain = new StoreView(counting, "default", config.minStep().toMillis(), sel[0]);
                    int n = 0;
                    for (Detector d : detectors) {
                        n += d.detect(plain, from, end).size();
                    }
                    System.out.printf("TIMING before service=%s type=%s raw=%d %d ms  %s%n", sel[0], sel[1], n,
                            (System.nanoTime() - t0) / 1_000_000, describe(calls));
                    // after: a fresh engine (nothing kept), then the same request again
                    InsightEngine engine = new InsightEngine(counting, config, System::currentTimeMillis);
                    calls.clear();
                    t0 = System.nanoTime();
                    n = engine.insights("default", from, end, sel[0], sel[1]).size();
                    System.out.printf("TIMING after-cold service=%s type=%s shown=%d %d ms  %s%n", sel[0], sel[1], n,
                            (System.nanoTime() - t0) / 1_000_000, describe(calls));
                    t0 = System.nanoTime();
                    n = engine.insights("default", from, end, sel[0], sel[1]).size();
                    System.out.printf("TIMING after-warm service=%s type=%s shown=%d %d us%n", sel[0], sel[1], n,
                            (System.nanoTime() - t0) / 1_000);
                    engine.close();
                }
            }
            // over HTTP, as the page asks (the server's own engine: first request evaluates, the next is kept)
            for (String q : new String[]{"", "&service=regress-checkout&type=cpu", "&service=leak-shop"}) {
                for (int rep = 0; rep < 2; rep++) {
                    long t0 = System.nanoTime();
                    int status = server.get("/api/v1/insights?from=" + from + "&until=" + end + q).status();
                    System.out.printf("TIMING http%s status=%d %d ms%n", q, status, (System.nanoTime() - t0) / 1_000_000);
                }
            }
        }
    }
}
