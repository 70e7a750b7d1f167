package io.continuo.server.insights;

import io.continuo.server.ServerConfig;
import io.continuo.server.TestServer;
import io.continuo.store.ProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The insights API answers from a recent evaluation (the periodic one included) when it covers the request, honours
 * the service and type selection, and evaluates afresh when nothing covers it. Store calls are counted, not timed.
 */
class InsightAnswersTest {
    @TempDir
    Path dir;

    @Test
    void aCoveringEvaluationAnswersWithoutTheStoreAndTheSelectionIsHonoured() throws Exception {
        try (TestServer server = new TestServer(ServerConfig.defaults().withDataDir(dir).withSelfProfile(false))) {
            Scenarios s = new Scenarios(server, System.currentTimeMillis() - Scenarios.HOUR);
            s.regression("regress-checkout", 3);
            s.clean("clean-search", 4);
            s.upload();
            ProfileStore real = server.server().store();
            AtomicInteger calls = new AtomicInteger();
            ProfileStore counting = (ProfileStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{ProfileStore.class}, (p, m, a) -> {
                        calls.incrementAndGet();
                        try {
                            return m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            AtomicLong now = new AtomicLong(s.end);
            long window = InsightsConfig.defaults().window().toMillis();
            // an interval far longer than any machine's evaluation, so "recent" never depends on its speed
            try (InsightEngine engine = new InsightEngine(counting, InsightsConfig.defaults().withInterval(Duration.ofHours(1)), now::get)) {
                List<Insight> periodic = engine.runOnce("default", found -> { });
                assertThat(periodic).extracting(Insight::service).containsExactly("regress-checkout");

                calls.set(0);
                List<Insight> cpu = engine.insights("default", now.get() - window, now.get(), "regress-checkout", "cpu");
                assertThat(cpu).extracting(Insight::kind).containsExactly(Insight.REGRESSION);
                assertThat(engine.insights("default", now.get() - window, now.get(), "regress-checkout", "wall")).isEmpty();
                assertThat(engine.insights("default", now.get() - window, now.get(), "clean-search", null)).isEmpty();
                // the UI's "now-6h" a little later: the same length, ending within an interval of the evaluation
                now.addAndGet(30_000);
                assertThat(engine.insights("default", now.get() - window, now.get(), null, null)).hasSize(1);
                assertThat(calls.get()).as("answered from the periodic evaluation").isZero();

                // another range is evaluated, once, then kept; its one-service answer covers only that service
                long from = s.end - 5 * Scenarios.HOUR;
                assertThat(engine.insights("default", from, s.end, "regress-checkout", "cpu")).hasSize(1);
                int evaluated = calls.get();
                assertThat(evaluated).isPositive();
                assertThat(engine.insights("default", from, s.end, "regress-checkout", "cpu")).hasSize(1);
                assertThat(calls.get()).isEqualTo(evaluated);
                assertThat(engine.insights("default", from, s.end, "regress-checkout", null)).hasSize(1);
                assertThat(calls.get()).as("a cpu-only answer does not cover every type").isGreaterThan(evaluated);
                // another tenant never sees this tenant's answers
                assertThat(engine.insights("team-b", now.get() - window, now.get(), null, null)).isEmpty();
            }

            // a request arriving while an evaluation that covers it runs waits for it instead of running its own
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger secondCalls = new AtomicInteger();
            ProfileStore gated = (ProfileStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{ProfileStore.class}, (p, m, a) -> {
                        String thread = Thread.currentThread().getName();
                        if (thread.equals("first")) {
                            entered.countDown();
                            release.await(60, TimeUnit.SECONDS);
                        } else if (thread.equals("second")) {
                            secondCalls.incrementAndGet();
                        }
                        try {
                            return m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            try (InsightEngine engine = new InsightEngine(gated, InsightsConfig.defaults().withInterval(Duration.ofHours(1)), now::get)) {
                long until = now.get();
                List<List<Insight>> results = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                Thread first = new Thread(() -> results.add(engine.insights("default", until - window, until, null, null)), "first");
                first.start();
                assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
                Thread second = new Thread(() -> results.add(engine.insights("default", until - window, until, "regress-checkout", "cpu")), "second");
                second.start();
                // the second request parks on the first's answer (which is held in the store); had it evaluated on its
                // own it would have reached the store (which does not hold it) instead
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (second.getState() != Thread.State.WAITING && secondCalls.get() == 0 && second.isAlive()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(2); // polling a condition, not a verdict
                }
                assertThat(secondCalls.get()).as("the second request ran its own evaluation").isZero();
                assertThat(second.getState()).isEqualTo(Thread.State.WAITING);
                release.countDown();
                first.join(60_000);
                second.join(60_000);
                assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r).extracting(Insight::service).containsExactly("regress-checkout"));
                assertThat(secondCalls.get()).isZero();
            }
        }
    }
}
