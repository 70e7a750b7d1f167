package io.continuo.server.insights;

import io.continuo.server.ServerConfig;
import io.continuo.store.ProfileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Runs the detectors: on demand ({@link #evaluate}) for the API and tests, and periodically on a named daemon thread
 * that hands each result to a listener (the alert manager). The clock is injected so tests decide what "now" is.
 */
public final class InsightEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InsightEngine.class);
    static final Comparator<Insight> ORDER = Comparator
            .comparingInt((Insight i) -> -Insight.severityRank(i.severity()))
            .thenComparing(Comparator.comparingLong(Insight::start).reversed())
            .thenComparing(Insight::service)
            .thenComparing(Insight::kind);

    private final ProfileStore store;
    private final InsightsConfig config;
    private final LongSupplier clock;
    private final List<Detector> detectors;
    private final WebhookNotifier notifier = WebhookNotifier.standard();
    /** Alerting per tenant: the default tenant's always, another tenant's once it has made a rule. */
    private final Map<String, AlertManager> alerts = new ConcurrentHashMap<>();
    private final CostCalculator cost;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread worker;
    private volatile List<Insight> latest = List.of();

    public InsightEngine(ProfileStore store, InsightsConfig config, LongSupplier clockMillis) {
        this.store = store;
        this.config = config;
        this.clock = clockMillis;
        this.detectors = List.of(new MemoryLeakDetector(config), new SpikeDetector(config), new RegressionDetector(config));
        this.cost = new CostCalculator(store, config.pricePerCoreHour(), config.pricePerGbHour());
        alerts(ServerConfig.DEFAULT_TENANT);
        for (String tenant : TenantStateDirs.tenantsWithState(config.rulesStateFile())) {
            alerts(tenant);
        }
    }

    /** The tenant's alerting if it has any (the default tenant always has), else null. */
    AlertManager existingAlerts(String tenant) {
        return alerts.get(tenant);
    }

    /** The tenant's alert rules, alerts and silences, created on first use; no tenant sees another's. */
    AlertManager alerts(String tenant) {
        return alerts.computeIfAbsent(tenant, t -> new AlertManager(new StoreView(store, t, config.minStep().toMillis()),
                clock, notifier, config, TenantStateDirs.stateFile(config.rulesStateFile(), t),
                ServerConfig.DEFAULT_TENANT.equals(t)));
    }

    CostCalculator cost() {
        return cost;
    }

    public InsightsConfig config() {
        return config;
    }

    public long nowMillis() {
        return clock.getAsLong();
    }

    /** Every detector over [from, until) for one tenant, most severe and most recent first. */
    public List<Insight> evaluate(String tenant, long fromMillis, long untilMillis) {
        return evaluate(tenant, fromMillis, untilMillis, null);
    }

    /**
     * As {@link #evaluate(String, long, long)}, looking at one service only (null: all): what the UI's insights
     * page asks for when a service is selected, so it does not wait for every other service's detectors.
     */
    public List<Insight> evaluate(String tenant, long fromMillis, long untilMillis, String service) {
        StoreView view = new StoreView(store, tenant, config.minStep().toMillis(), service);
        List<Insight> out = new ArrayList<>();
        for (Detector d : detectors) {
            try {
                out.addAll(d.detect(view, fromMillis, untilMillis));
            } catch (RuntimeException e) {
                // one detector failing (a store hiccup, odd data) must not hide what the others found
                LOG.warn("detector {} failed for tenant {}", d.getClass().getSimpleName(), tenant, e);
            }
        }
        out.sort(ORDER);
        return out;
    }

    /** What the last scheduled evaluation found (empty before the first). */
    public List<Insight> latest() {
        return latest;
    }

    /** Starts the periodic evaluation of {@code tenant}'s last {@code window}; each result goes to {@code listener}. */
    public synchronized void start(String tenant, Consumer<List<Insight>> listener) {
        if (worker != null || closed.get() || !config.enabled()) {
            return;
        }
        Thread t = new Thread(() -> loop(tenant, listener), "continuo-insights");
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    private void loop(String tenant, Consumer<List<Insight>> listener) {
        long interval = config.interval().toMillis();
        while (!closed.get()) {
            try {
                runOnce(tenant, listener);
                alertOtherTenants(tenant);
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                // close() interrupts the sleep; keep the flag for whoever looks after us
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                LOG.warn("insight evaluation failed", e);
            }
        }
    }

    /** One scheduled round, synchronously: the scheduler's body, callable from tests. */
    public List<Insight> runOnce(String tenant, Consumer<List<Insight>> listener) {
        long now = clock.getAsLong();
        List<Insight> found = evaluate(tenant, now - config.window().toMillis(), now);
        latest = found;
        alerts(tenant).evaluate(found);
        listener.accept(found);
        return found;
    }

    /** Tenants other than the scheduled one are evaluated only while they have rules (or alerts to resolve). */
    private void alertOtherTenants(String scheduled) {
        long now = clock.getAsLong();
        for (Map.Entry<String, AlertManager> e : alerts.entrySet()) {
            if (e.getKey().equals(scheduled) || !e.getValue().active() || closed.get()) {
                continue;
            }
            try {
                e.getValue().evaluate(evaluate(e.getKey(), now - config.window().toMillis(), now));
            } catch (RuntimeException ex) {
                LOG.warn("alert evaluation failed for tenant {}", e.getKey(), ex);
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        notifier.close();
        Thread t = worker;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
