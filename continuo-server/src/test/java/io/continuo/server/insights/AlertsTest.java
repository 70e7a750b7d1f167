package io.continuo.server.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.continuo.server.TestServer;
import io.continuo.server.http.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Alert rules, the pending → firing → resolved cycle, silences, webhook retries and the alerts API. */
class AlertsTest {
    HttpServer hook;
    final ConcurrentLinkedQueue<JsonNode> received = new ConcurrentLinkedQueue<>();
    final List<Integer> script = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void startHook() throws Exception {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int call = calls.getAndIncrement();
            int status = call < script.size() ? script.get(call) : 200;
            if (status == 200) {
                received.add(Json.MAPPER.readTree(body));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        hook.start();
    }

    @AfterEach
    void stopHook() {
        hook.stop(0);
    }

    String hookUrl() {
        return "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook";
    }

    @Test
    void retriesWithFullJitterBackoffOn503And429ThenDelivers() throws Exception {
        script.addAll(List.of(503, 429, 502));
        List<Long> slept = new ArrayList<>();
        WebhookNotifier n = new WebhookNotifier(6, 100, 1_000, new Random(7), slept::add);
        List<Long> delays = n.deliver(hookUrl(), Map.of("status", "firing"));
        Random expected = new Random(7);
        List<Long> want = List.of((long) (expected.nextDouble() * 100), (long) (expected.nextDouble() * 200),
                (long) (expected.nextDouble() * 400));
        assertThat(delays).isEqualTo(want).isEqualTo(slept);
        assertThat(n.delivered()).isEqualTo(1);
        assertThat(received).hasSize(1);
    }

    @Test
    void givesUpAfterMaxAttemptsAndDoesNotRetryA4xx() throws Exception {
        script.addAll(List.of(500, 500, 500, 400));
        WebhookNotifier n = new WebhookNotifier(3, 10, 1_000, new Random(1), ms -> { });
        assertThat(n.deliver(hookUrl(), Map.of())).hasSize(2);
        assertThat(n.failed()).isEqualTo(1);
        assertThat(n.deliver(hookUrl(), Map.of())).isEmpty();
        assertThat(calls.get()).isEqualTo(4);
    }

    @Test
    void pendingThenFiringOnceThenResolvedAndSilencesHoldNotificationsBack() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        InsightsConfig config = InsightsConfig.defaults().withAlerting(null, List.of(hookUrl()), null);
        AlertManager m = new AlertManager(null, now::get, new WebhookNotifier(3, 1, 10, new Random(1), ms -> { }), config);
        m.putRule(AlertRule.fromJson(Json.MAPPER.readTree(
                "{\"id\":\"leaks\",\"condition\":\"insight\",\"insightKind\":\"memory_leak\",\"for\":\"5m\",\"matchers\":\"{env!=\\\"dev\\\"}\"}")));
        Insight leak = new Insight(Insight.MEMORY_LEAK, "shop", "inuse_bytes", Map.of("service", "shop", "instance", "i-1"),
                now.get(), now.get(), Insight.WARNING, "Heap grows.", List.of(new Insight.Culprit("a.B.c", 0.3, 0.2)),
                "/explore", Map.of());
        m.evaluate(List.of(leak));
        assertThat(m.alerts()).singleElement().extracting(AlertManager.Alert::state).isEqualTo("pending");
        now.addAndGet(5 * 60_000);
        m.evaluate(List.of(leak));
        now.addAndGet(60_000);
        m.evaluate(List.of(leak));
        assertThat(m.alerts()).singleElement().extracting(AlertManager.Alert::state).isEqualTo("firing");
        now.addAndGet(60_000);
        m.evaluate(List.of());
        assertThat(m.alerts()).singleElement().extracting(AlertManager.Alert::state).isEqualTo("resolved");
        awaitReceived(2);
        List<JsonNode> got = new ArrayList<>(received);
        assertThat(got.get(0).path("status").asText()).isEqualTo("firing");
        assertThat(got.get(0).path("rule").asText()).isEqualTo("leaks");
        assertThat(got.get(0).path("culprits").get(0).path("name").asText()).isEqualTo("a.B.c");
        assertThat(got.get(1).path("status").asText()).isEqualTo("resolved");
        assertThat(got.get(1).path("fingerprint").asText()).isEqualTo(got.get(0).path("fingerprint").asText());

        m.silence("{alertname=\"leaks\",service=\"shop\"}", now.get() + 3_600_000, "known");
        m.evaluate(List.of(leak));
        now.addAndGet(10 * 60_000);
        m.evaluate(List.of(leak));
        assertThat(m.alerts()).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo("firing");
            assertThat(a.silenced()).isTrue();
        });
        Thread.sleep(200);
        assertThat(received).hasSize(2);
        m.close();
    }

    private void awaitReceived(int n) throws InterruptedException {
        for (int i = 0; i < 500 && received.size() < n; i++) {
            Thread.sleep(20);
        }
        assertThat(received).hasSize(n);
    }

    static int delete(TestServer server, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.base() + path)).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void apiRulesAndSilencesSurviveARestart(@TempDir Path dir) throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        InsightsConfig config = InsightsConfig.defaults().withAlerting(null, List.of(), dir.resolve("alert-rules.json"));
        WebhookNotifier notifier = new WebhookNotifier(3, 1, 10, new Random(1), ms -> { });
        AlertManager before = new AlertManager(null, now::get, notifier, config);
        before.putRule(AlertRule.fromJson(Json.MAPPER.readTree(
                "{\"id\":\"leaks\",\"condition\":\"insight\",\"insightKind\":\"memory_leak\",\"for\":\"5m\"}")));
        AlertManager.Silence kept = before.silence("{service=\"shop\"}", now.get() + 7_200_000, "deploy window");
        AlertManager.Silence deleted = before.silence("{service=\"cart\"}", now.get() + 7_200_000, "");
        AlertManager.Silence expiring = before.silence("{service=\"web\"}", now.get() + 60_000, "");
        assertThat(before.deleteSilence(deleted.id())).isTrue();

        now.addAndGet(120_000); // the restart comes after one silence ran out
        AlertManager after = new AlertManager(null, now::get, notifier, config);
        assertThat(after.rules()).extracting(AlertRule::id).containsExactly("leaks");
        assertThat(after.silences()).containsExactly(kept);
        // ids keep counting, so an old link to a deleted silence never names a new one
        assertThat(after.silence("{service=\"db\"}", now.get() + 60_000, "").id())
                .isNotIn(kept.id(), deleted.id(), expiring.id());
    }

    @Test
    void eachTenantSeesOnlyItsOwnRulesSilencesAndAlertsAcrossARestart(@TempDir Path dir) {
        io.continuo.server.ServerConfig serverConfig = io.continuo.server.ServerConfig.defaults().withDataDir(dir).withSelfProfile(false);
        InsightsConfig insights = InsightsConfig.defaults().withAlerting(null, List.of(), dir.resolve("alert-rules.json"));
        Map<String, String> json = Map.of("Content-Type", "application/json");
        Map<String, String> teamA = Map.of("Content-Type", "application/json", "X-Scope-OrgID", "team-a");
        // a tenant name that would climb out of the data directory if it were used as a path
        Map<String, String> dots = Map.of("Content-Type", "application/json", "X-Scope-OrgID", "..");
        String rule = "{\"id\":\"a-cpu\",\"condition\":\"total\",\"type\":\"cpu\",\"threshold\":1e9,\"window\":\"5m\"}";
        String silence = "{\"matchers\":\"{service=\\\"a\\\"}\",\"until\":\"now+2h\"}";
        try (TestServer server = new TestServer(serverConfig, insights)) {
            assertThat(server.post("/api/v1/alerts/rules", rule.getBytes(StandardCharsets.UTF_8), teamA).status()).isEqualTo(201);
            assertThat(server.post("/api/v1/alerts/silences", silence.getBytes(StandardCharsets.UTF_8), teamA).status()).isEqualTo(201);
            assertThat(server.post("/api/v1/alerts/rules", rule.replace("a-cpu", "dots-cpu").getBytes(StandardCharsets.UTF_8), dots).status())
                    .isEqualTo(201);
            assertThat(server.get("/api/v1/alerts/rules", teamA).json().path("rules")).extracting(r -> r.path("id").asText())
                    .containsExactly("a-cpu");
            assertThat(server.get("/api/v1/alerts/silences", teamA).json().path("silences")).hasSize(1);
            // the default tenant and a third tenant see none of it, and cannot delete it
            assertThat(server.get("/api/v1/alerts/rules").json().path("rules")).isEmpty();
            assertThat(server.get("/api/v1/alerts/silences").json().path("silences")).isEmpty();
            assertThat(server.get("/api/v1/alerts/rules", Map.of("X-Scope-OrgID", "team-b")).json().path("rules")).isEmpty();
            assertThat(server.get("/api/v1/alerts", Map.of("X-Scope-OrgID", "team-b")).json().path("alerts")).isEmpty();
            assertThat(delete(server, "/api/v1/alerts/rules/a-cpu")).isEqualTo(404);
            assertThat(server.post("/api/v1/alerts/rules", rule.replace("a-cpu", "default-cpu").getBytes(StandardCharsets.UTF_8), json).status())
                    .isEqualTo(201);
        }
        assertThat(dir.resolve("alert-rules.json")).exists();
        assertThat(dir.getParent().resolve("tenants")).doesNotExist();
        try (TestServer server = new TestServer(serverConfig, insights)) {
            assertThat(server.get("/api/v1/alerts/rules", teamA).json().path("rules")).extracting(r -> r.path("id").asText())
                    .containsExactly("a-cpu");
            assertThat(server.get("/api/v1/alerts/silences", teamA).json().path("silences")).hasSize(1);
            assertThat(server.get("/api/v1/alerts/rules", dots).json().path("rules")).extracting(r -> r.path("id").asText())
                    .containsExactly("dots-cpu");
            assertThat(server.get("/api/v1/alerts/rules").json().path("rules")).extracting(r -> r.path("id").asText())
                    .containsExactly("default-cpu");
        }
    }

    @Test
    void rulesAndSilencesThroughTheApi(@TempDir Path dir) {
        try (TestServer server = new TestServer(dir)) {
            String rule = "{\"id\":\"checkout-cpu\",\"condition\":\"total\",\"type\":\"cpu\",\"threshold\":2e9,\"window\":\"5m\","
                    + "\"for\":\"10m\",\"matchers\":\"{service=\\\"checkout\\\"}\"}";
            TestServer.Response created = server.post("/api/v1/alerts/rules", rule.getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode rules = server.get("/api/v1/alerts/rules").json().path("rules");
            assertThat(rules).hasSize(1);
            assertThat(rules.get(0).path("for").asText()).isEqualTo("600s");
            assertThat(server.post("/api/v1/alerts/rules", "{\"id\":\"x\",\"condition\":\"nope\"}".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json")).status()).isEqualTo(400);
            TestServer.Response silence = server.post("/api/v1/alerts/silences",
                    "{\"matchers\":\"{service=\\\"checkout\\\"}\",\"until\":\"now+2h\",\"comment\":\"deploy\"}".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json"));
            assertThat(silence.status()).as(silence.toString()).isEqualTo(201);
            assertThat(server.get("/api/v1/alerts/silences").json().path("silences")).hasSize(1);
            assertThat(server.get("/api/v1/alerts").json().path("alerts").isArray()).isTrue();
            assertThat(delete(server, "/api/v1/alerts/rules/checkout-cpu")).isEqualTo(204);
            assertThat(delete(server, "/api/v1/alerts/rules/checkout-cpu")).isEqualTo(404);
        }
    }
}
