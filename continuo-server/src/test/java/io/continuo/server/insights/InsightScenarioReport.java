package io.continuo.server.insights;

import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of docs/insights.md: for several seeds, every scenario through a fresh real server; detection rate,
 * false alarms on the clean services (evaluated every 30 min over the last 6 h), and time to detect (the first
 * evaluation, stepping 10 min after the fault began, whose insights name the fault's culprit in the top 3).
 * Run: {@code mvn -o -q -f continuo-server/pom.xml test -Dtest=InsightScenarioReport -Dcontinuo.insights.report=true};
 * writes continuo-server/target/insights-report.md.
 */
@EnabledIfSystemProperty(named = "continuo.insights.report", matches = "true")
class InsightScenarioReport {
    static final int SEEDS = 3;
    static final long STEP = 10 * Scenarios.MIN;
    static final int MAX_STEPS = 18;

    @Test
    void report(@TempDir Path dir) throws Exception {
        StringBuilder rows = new StringBuilder();
        int faults = 0;
        int detected = 0;
        int falseAlarms = 0;
        int cleanEvaluations = 0;
        for (int seed = 1; seed <= SEEDS; seed++) {
            try (TestServer server = new TestServer(ServerConfig.defaults().withDataDir(dir.resolve("s" + seed)).withSelfProfile(false))) {
                Scenarios s = new Scenarios(server, System.currentTimeMillis() - Scenarios.HOUR);
                s.leak("leak-shop", seed * 10L + 1);
                s.cpuSpike("spike-api", seed * 10L + 2);
                s.regression("regress-checkout", seed * 10L + 3);
                s.clean("clean-search", seed * 10L + 4);
                s.clean("clean-catalog", seed * 10L + 5);
                s.upload();
                InsightEngine engine = server.server().insights();
                for (Scenarios.Fault f : s.faults) {
                    faults++;
                    String ttd = "not detected";
                    for (int k = 1; k <= MAX_STEPS; k++) {
                        long until = Math.min(s.end, f.start() + k * STEP);
                        if (found(engine.evaluate("default", until - 6 * Scenarios.HOUR, until), f)) {
                            ttd = (k * STEP / Scenarios.MIN) + " min";
                            detected++;
                            break;
                        }
                    }
                    rows.append(String.format(Locale.ROOT, "| %d | %s | %s | %s |%n", seed, f.kind(), f.culprit(), ttd));
                }
                for (long until = s.end - 6 * Scenarios.HOUR + 30 * Scenarios.MIN; until <= s.end; until += 30 * Scenarios.MIN) {
                    for (Insight i : engine.evaluate("default", until - 6 * Scenarios.HOUR, until)) {
                        if (s.cleanServices.contains(i.service())) {
                            falseAlarms++;
                            rows.append("| ").append(seed).append(" | false alarm | ").append(i.summary()).append(" | |\n");
                        }
                    }
                    cleanEvaluations += s.cleanServices.size();
                }
            }
        }
        String report = "| seed | fault | culprit | time to detect |\n|---|---|---|---|\n" + rows
                + String.format(Locale.ROOT, "%nDetected %d of %d planted faults; %d false alarms in %d evaluations of clean services.%n",
                detected, faults, falseAlarms, cleanEvaluations);
        Files.writeString(Path.of("target/insights-report.md"), report);
        System.out.println(report);
    }

    private static boolean found(List<Insight> insights, Scenarios.Fault f) {
        for (Insight i : insights) {
            List<String> names = new ArrayList<>();
            i.culprits().forEach(c -> names.add(c.name()));
            if (i.service().equals(f.service()) && i.kind().equals(f.kind())
                    && names.subList(0, Math.min(3, names.size())).contains(f.culprit())) {
                return true;
            }
        }
        return false;
    }
}
