package io.continuo.server.insights;

import io.continuo.server.ContinuoServer;
import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import io.continuo.store.ProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An alert round's store queries run outside the lock the alerts API needs: while a rule's query is stuck in the
 * store, {@code GET /api/v1/alerts} and the rule endpoints still answer.
 */
class AlertEvaluationLockTest {
    @Test
    void theAlertsApiAnswersWhileAnEvaluationWaitsForTheStore(@TempDir Path dir) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer backing = new TestServer(dir)) {
            ProfileStore real = backing.server().store();
            // the real store, except that the rule's first look-up (its services) waits until the test lets it go;
            // close is the backing server's job
            ProfileStore blocking = (ProfileStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{ProfileStore.class}, (p, m, a) -> {
                        if (m.getName().equals("close")) {
                            return null;
                        }
                        if (m.getName().equals("labelValues") && Thread.currentThread().getName().equals("slow-round")) {
                            entered.countDown();
                            release.await(60, TimeUnit.SECONDS);
                        }
                        try {
                            return m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            ContinuoServer server = ContinuoServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("second"))
                    .withSelfProfile(false), blocking, InsightsConfig.defaults().withAlerting(null, List.of(), null));
            Thread round = null;
            try {
                AlertManager alerts = server.insights().alerts(ServerConfig.DEFAULT_TENANT);
                alerts.putRule(AlertRule.fromJson(io.continuo.server.http.Json.MAPPER.readTree(
                        "{\"id\":\"cpu\",\"condition\":\"total\",\"type\":\"cpu\",\"threshold\":1,\"window\":\"5m\"}")));
                round = new Thread(() -> alerts.evaluate(List.of()), "slow-round");
                round.start();
                assertThat(entered.await(30, TimeUnit.SECONDS)).as("the round reached the store").isTrue();

                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                String base = "http://127.0.0.1:" + server.port();
                // generous deadlines: they only turn a hang (the old behaviour: the lock is held) into a failure
                HttpResponse<String> got = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts"))
                        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(got.statusCode()).isEqualTo(200);
                assertThat(got.body()).contains("\"alerts\"");
                HttpResponse<String> rules = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts/rules"))
                        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(rules.body()).contains("\"cpu\"");
                HttpResponse<String> silence = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts/silences"))
                        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"matchers\":\"{service=\\\"a\\\"}\",\"until\":\"now+1h\"}",
                                StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(silence.statusCode()).as(silence.body()).isEqualTo(201);
                assertThat(round.isAlive()).as("the round was still waiting for the store all along").isTrue();
            } finally {
                release.countDown();
                if (round != null) {
                    round.join(30_000);
                }
                server.close();
            }
            assertThat(round.isAlive()).isFalse();
        }
    }
}
