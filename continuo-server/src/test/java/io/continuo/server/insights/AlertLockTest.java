package io.continuo.server.insights;

import io.continuo.server.http.Json;
import io.continuo.store.ProfileStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** An evaluation's store queries run outside the lock GET /alerts and the rule API need. */
class AlertLockTest {
    @Test
    void alertsAndRulesAnswerWhileAnEvaluationWaitsOnTheStore() throws Exception {
        CountDownLatch queried = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProfileStore slow = (ProfileStore) Proxy.newProxyInstance(ProfileStore.class.getClassLoader(),
                new Class<?>[]{ProfileStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("labelValues")) {
                        queried.countDown();
                        release.await(60, TimeUnit.SECONDS); // a store query that takes its time
                        return List.of();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        InsightsConfig config = InsightsConfig.defaults().withAlerting(null, List.of(), null);
        AlertManager m = new AlertManager(new StoreView(slow, "default"), now::get,
                new WebhookNotifier(3, 1, 10, new Random(1), ms -> { }), config);
        m.putRule(AlertRule.fromJson(Json.MAPPER.readTree(
                "{\"id\":\"cpu-high\",\"condition\":\"total\",\"type\":\"cpu\",\"op\":\">\",\"threshold\":1,\"window\":\"5m\"}")));
        Thread evaluation = new Thread(() -> m.evaluate(List.of()), "evaluation");
        evaluation.start();
        try {
            assertThat(queried.await(30, TimeUnit.SECONDS)).isTrue();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertThat(m.alerts()).isEmpty();
                assertThat(m.rules()).hasSize(1);
                m.silence("{alertname=\"cpu-high\"}", now.get() + 60_000, "while evaluating");
            });
        } finally {
            release.countDown();
            evaluation.join(30_000);
        }
        assertThat(evaluation.isAlive()).isFalse();
        m.close();
    }
}
