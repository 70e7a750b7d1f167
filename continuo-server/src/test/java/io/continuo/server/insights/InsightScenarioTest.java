package io.continuo.server.insights;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario suite: planted faults (a slow leak, a CPU spike, a version regression) and clean controls go through
 * a real server as pprof uploads; {@code GET /api/v1/insights} must name each fault's culprit in its top three and
 * say nothing about the clean services.
 */
class InsightScenarioTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Scenarios scenarios;

    @BeforeAll
    static void load() throws Exception {
        server = new TestServer(ServerConfig.defaults().withDataDir(dataDir).withSelfProfile(false));
        scenarios = new Scenarios(server, System.currentTimeMillis() - Scenarios.HOUR);
        scenarios.leak("leak-shop", 1);
        scenarios.cpuSpike("spike-api", 2);
        scenarios.regression("regress-checkout", 3);
        scenarios.clean("clean-search", 4);
        scenarios.clean("clean-catalog", 5);
        scenarios.upload();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode insights(long from, long until) {
        TestServer.Response r = server.get("/api/v1/insights?from=" + from + "&until=" + until);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static List<String> culprits(JsonNode insight) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : insight.path("culprits")) {
            out.add(c.path("name").asText());
        }
        return out;
    }

    @Test
    void everyPlantedFaultIsFoundWithItsCulpritAndTheCleanServicesRaiseNothing() {
        long end = scenarios.end;
        JsonNode all = insights(end - 6 * Scenarios.HOUR, end);
        assertThat(all.isArray()).isTrue();
        for (Scenarios.Fault f : scenarios.faults) {
            JsonNode hit = null;
            for (JsonNode i : all) {
                if (i.path("service").asText().equals(f.service()) && i.path("kind").asText().equals(f.kind())
                        && culprits(i).subList(0, Math.min(3, culprits(i).size())).contains(f.culprit())) {
                    hit = i;
                }
            }
            assertThat(hit).as("fault %s in %s", f, all.toPrettyString()).isNotNull();
            assertThat(hit.path("summary").asText()).isNotBlank();
            assertThat(hit.path("severity").asText()).isIn("info", "warning", "critical");
            assertThat(hit.path("link").asText()).startsWith("/explore?view=diff&");
            assertThat(hit.path("start").asLong()).isBetween(f.start() - 15 * Scenarios.MIN, f.start() + 30 * Scenarios.MIN);
            assertThat(hit.path("culprits").get(0).has("share")).isTrue();
            assertThat(hit.path("culprits").get(0).has("growth")).isTrue();
        }
        for (JsonNode i : all) {
            assertThat(scenarios.cleanServices).as("false alarm: %s", i.toPrettyString())
                    .doesNotContain(i.path("service").asText());
            // v2's higher CPU is a new level, reported once as the regression, not as spikes for the next day
            if (i.path("service").asText().equals("regress-checkout")) {
                assertThat(i.path("kind").asText()).as("%s", i.toPrettyString()).isEqualTo(Insight.REGRESSION);
            }
        }
    }

    @Test
    void theLeakSaysWhenTheHeapFillsAndWhichDeploymentStartedIt() {
        long end = scenarios.end;
        JsonNode leak = null;
        for (JsonNode i : insights(end - 6 * Scenarios.HOUR, end)) {
            if (i.path("kind").asText().equals(Insight.MEMORY_LEAK)) {
                assertThat(i.path("labels").path("instance").asText()).isEqualTo("i-1");
                leak = i;
            }
        }
        assertThat(leak).isNotNull();
        assertThat(leak.path("details").path("deployment").asText()).isEqualTo("1.1");
        assertThat(leak.path("details").path("timeToExhaustionMillis").asLong()).isPositive();
        assertThat(leak.path("summary").asText()).contains("version 1.1").contains("heap is full in");
    }

    @Test
    void costPerServiceAndFunction() {
        long end = scenarios.end;
        String range = "&from=" + (end - Scenarios.HOUR) + "&until=" + end;
        JsonNode byService = server.get("/api/v1/cost?groupBy=service" + range).json();
        JsonNode regress = null;
        for (JsonNode item : byService.path("items")) {
            if (item.path("name").asText().equals("regress-checkout")) {
                regress = item;
            }
        }
        // 3 instances × 12 one-minute uploads × (0.80 + 0.45) cores = 0.75 core-hours
        assertThat(regress).isNotNull();
        assertThat(regress.path("cpuCoreHours").asDouble()).isBetween(0.70, 0.80);
        assertThat(regress.path("cpuCost").asDouble()).isEqualTo(regress.path("cpuCoreHours").asDouble() * 0.04);
        JsonNode byFunction = server.get("/api/v1/cost?groupBy=function&query=%7Bservice%3D%22regress-checkout%22%7D" + range).json();
        JsonNode top = byFunction.path("topFunctions").get(0);
        assertThat(top.path("name").asText()).isEqualTo("com.checkout.pricing.Pricing.applyDiscounts");
        assertThat(top.path("summary").asText()).startsWith("com.checkout.pricing.Pricing.applyDiscounts costs $").endsWith("/month");
        assertThat(server.get("/api/v1/cost?groupBy=planet").status()).isEqualTo(400);
    }

    @Test
    void badRangesAreRefused() {
        assertThat(server.get("/api/v1/insights?from=now&until=now-1h").status()).isEqualTo(400);
        assertThat(server.get("/api/v1/insights?from=now-60d").status()).isEqualTo(400);
    }
}
