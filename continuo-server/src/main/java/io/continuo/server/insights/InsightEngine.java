package io.continuo.server.insights;

import io.continuo.server.ServerConfig;
import io.continuo.store.ProfileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
    /** Recent evaluations, newest last, that {@link #insights} may answer from (see {@link Answer}). */
    private final java.util.ArrayDeque<Answer> answers = new java.util.ArrayDeque<>();
    private static final int MAX_ANSWERS = 32;

    /**
     * One evaluation kept for the API: tenant, the service and type it was limited to (null: all), its range, when
     * it ran (engine clock and nanoTime). It answers a request of the same tenant whose selection it covers (an
     * all-services answer covers one service, filtered), for {@link InsightsConfig#interval()} after it ran (the
     * periodic evaluation's own freshness), when the request's range is the same, or, for a range ending at "now"
     * (the UI's now-6h), of the same length and ending at most one interval later. It is kept from the moment its
     * evaluation starts, so a request arriving meanwhile (the page opened while the scheduler runs) waits for it
     * instead of running the same detectors beside it on the same cores.
     */
    private record Answer(String tenant, String service, String type, long from, long until, long clockAt, long nanoAt,
                          CompletableFuture<List<Insight>> insights) {
        boolean covers(String tenant, String service, String type, long from, long until, long interval) {
            if (!this.tenant.equals(tenant) || (this.service != null && !this.service.equals(service))
                    || (this.type != null && !this.type.equals(type)) || System.nanoTime() - nanoAt > interval * 1_000_000) {
                return false;
            }
            if (from == this.from && until == this.until) {
                return true;
            }
            boolean rolling = this.until >= clockAt - interval;
            return rolling && until - from == this.until - this.from && until >= this.until && until - this.until <= interval;
        }
    }

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
        return evaluate(tenant, fromMillis, untilMillis, service, null);
    }

    /** As {@link #evaluate(String, long, long, String)}, the per-type detectors looking at {@code type} only (null: all). */
    List<Insight> evaluate(String tenant, long fromMillis, long untilMillis, String service, String type) {
        StoreView view = StoreView.forEvaluation(store, tenant, config.minStep().toMillis(), service, type);
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

    /**
     * What the API shows for a service and type (each null: all): the insights of that service whose type is the
     * selected one (or has none), from a recent evaluation that covers the request when there is one (the periodic
     * one included), else evaluated now and kept for the next request. Detectors take seconds on a busy store;
     * an interval-old answer is what the scheduled evaluation would give anyway.
     */
    public List<Insight> insights(String tenant, long fromMillis, long untilMillis, String service, String type) {
        long interval = config.interval().toMillis();
        Answer found = null;
        Answer mine = null;
        synchronized (answers) {
            for (java.util.Iterator<Answer> it = answers.descendingIterator(); it.hasNext(); ) {
                Answer a = it.next();
                if (a.covers(tenant, service, type, fromMillis, untilMillis, interval)) {
                    found = a;
                    break;
                }
            }
            if (found == null) {
                mine = new Answer(tenant, service, type, fromMillis, untilMillis, clock.getAsLong(), System.nanoTime(),
                        new CompletableFuture<>());
                keep(mine);
            }
        }
        List<Insight> all = mine != null ? evaluateFor(mine) : await(found);
        List<Insight> out = new ArrayList<>();
        for (Insight i : all) {
            if ((service == null || service.equals(i.service())) && (type == null || i.type() == null || type.equals(i.type()))) {
                out.add(i);
            }
        }
        return out;
    }

    /** Runs the evaluation {@code a} stands for and completes it; a failure is not kept, so the next request retries. */
    private List<Insight> evaluateFor(Answer a) {
        try {
            List<Insight> found = List.copyOf(evaluate(a.tenant(), a.from(), a.until(), a.service(), a.type()));
            a.insights().complete(found);
            return found;
        } catch (RuntimeException | Error e) {
            synchronized (answers) {
                answers.remove(a);
            }
            a.insights().completeExceptionally(e);
            throw e;
        }
    }

    private static List<Insight> await(Answer a) {
        try {
            return a.insights().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the insights being evaluated", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Called with {@code answers} locked. */
    private void keep(Answer a) {
        answers.addLast(a);
        while (answers.size() > MAX_ANSWERS) {
            answers.removeFirst();
        }
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
        Answer a = new Answer(tenant, null, null, now - config.window().toMillis(), now, now, System.nanoTime(),
                new CompletableFuture<>());
        synchronized (answers) {
            keep(a);
        }
        List<Insight> found = evaluateFor(a);
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
