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
        }
    }
}
