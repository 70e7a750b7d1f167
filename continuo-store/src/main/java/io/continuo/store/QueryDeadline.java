package io.continuo.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of the query running on this thread. The caller (the server's query API) opens one around a request's
 * store calls; engines register a way to stop their work ({@link #onExpiry}: DuckDB cancels its statements,
 * ClickHouse sends the remaining time as {@code max_execution_time}) and in-memory loops call {@link #check()}. When
 * it expires, a scheduler thread runs the cancel hooks, so work stops even while the query thread is blocked inside
 * the database; the query thread then gets a {@link QueryTimeoutException}.
 *
 * <p>Thread confinement: {@link #open} binds to the calling thread and {@link #close} unbinds; hooks may run on the
 * scheduler thread concurrently with registration, hence the copy-on-write list and the re-check after adding.
 */
public final class QueryDeadline implements AutoCloseable {
    private static final ThreadLocal<QueryDeadline> CURRENT = new ThreadLocal<>();
    private static final Duration RETRY = Duration.ofMillis(100);

    private final Duration timeout;
    private final long deadlineNanos;
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> timer;
    private volatile boolean expired;

    private QueryDeadline(Duration timeout, ScheduledExecutorService scheduler) {
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        // Past the deadline the hooks run again every RETRY: a cancel that lands between a statement's creation and
        // the start of its execution does nothing in DuckDB (nothing is running yet), so one attempt is not enough.
        this.timer = scheduler.scheduleWithFixedDelay(this::expire, timeout.toNanos(), RETRY.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Binds a deadline {@code timeout} from now to this thread; close it when the query is done. */
    public static QueryDeadline open(Duration timeout, ScheduledExecutorService scheduler) {
        QueryDeadline d = new QueryDeadline(timeout, scheduler);
        CURRENT.set(d);
        return d;
    }

    /** This thread's deadline, or null when its work has none (background jobs, writes). */
    public static QueryDeadline current() {
        return CURRENT.get();
    }

    /** Throws when this thread's query is past its deadline; cheap enough for every few thousand rows. */
    public static void check() {
        QueryDeadline d = CURRENT.get();
        if (d != null && (d.expired || System.nanoTime() - d.deadlineNanos > 0)) {
            throw d.exception();
        }
    }

    /** Whether this thread's query ran out of time (a database error then means it was cancelled). */
    public static boolean isExpired() {
        QueryDeadline d = CURRENT.get();
        return d != null && (d.expired || System.nanoTime() - d.deadlineNanos > 0);
    }

    /** Time left, at least 1 ms. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(1_000_000L, deadlineNanos - System.nanoTime()));
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code cancel} when the deadline passes (at once if it has); the returned handle unregisters it, so call
     * it (try-with-resources) when the work it would cancel is over.
     */
    public Registration onExpiry(Runnable cancel) {
        hooks.add(cancel);
        if (expired) {
            runQuietly(cancel);
        }
        return () -> hooks.remove(cancel);
    }

    public QueryTimeoutException exception() {
        return new QueryTimeoutException("query stopped after its time limit of " + describe(timeout)
                + " (--query-timeout): narrow the time range or the selector");
    }

    private void expire() {
        expired = true;
        for (Runnable hook : hooks) {
            runQuietly(hook);
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // cancelling is best effort: the query thread still sees the deadline at its next check
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        timer.cancel(false);
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
    }

    /** Unregisters a cancel hook. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
