package io.continuo.server.insights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow leak in a 1 GB heap (300 KB/s, no old collection) as the Java agent reports it since it reads the heap
 * after every collection, young ones included: {@code GET /api/v1/insights} over the ten minutes after the onset
 * names it with its allocation site in the top three, and the same app without the leak (same heap, same
 * allocation rate) raises nothing. Synthetic time: the detector's logic is what is tested; the agent's real signal
 * is checked by the agent's HeapLeakIT.
 */
class YoungGcLeakScenarioTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Scenarios scenarios;
    static long onset;

    @BeforeAll
    static void load() throws Exception {
        server = new TestServer(ServerConfig.defaults().withDataDir(dataDir).withSelfProfile(false));
        scenarios = new Scenarios(server, System.currentTimeMillis() - Scenarios.HOUR);
        onset = scenarios.end - 10 * Scenarios.MIN;
        scenarios.youngGcHeap("slow-leak", true, onset, scenarios.end, 11);
        scenarios.youngGcHeap("no-leak", false, onset, scenarios.end, 12);
        scenarios.upload();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSlowLeakIsReportedWithinTenMinutesAndTheCleanTwinRaisesNothing() {
        TestServer.Response r = server.get("/api/v1/insights?from=" + (onset - 20 * Scenarios.MIN) + "&until=" + (onset + 10 * Scenarios.MIN));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode all = r.json();
        JsonNode leak = null;
        for (JsonNode i : all) {
            assertThat(i.path("service").asText()).as("false alarm: %s", i.toPrettyString()).isNotEqualTo("no-leak");
            if (i.path("service").asText().equals("slow-leak") && i.path("kind").asText().equals(Insight.MEMORY_LEAK)) {
                leak = i;
            }
        }
        assertThat(leak).as("leak insight in %s", all.toPrettyString()).isNotNull();
        List<String> culprits = InsightScenarioTest.culprits(leak);
        assertThat(culprits.subList(0, Math.min(3, culprits.size()))).as("top culprits")
                .contains("com.shop.session.SessionCache.put");
        assertThat(leak.path("start").asLong()).isBetween(onset - 5 * Scenarios.MIN, onset + 5 * Scenarios.MIN);
    }
}
