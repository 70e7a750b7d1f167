package io.continuo.server.http;

import io.continuo.store.QueryDeadline;
import io.javalin.http.Handler;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Gives every query request a deadline ({@code --query-timeout}): the handler runs with a {@link QueryDeadline} bound
 * to its thread, the store cancels its work when it expires, and the app answers 503 with the reason
 * ({@code QueryTimeoutException}). One named daemon thread fires the deadlines; {@link #close()} stops it.
 */
public final class QueryDeadlines implements AutoCloseable {
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;

    public QueryDeadlines(Duration timeout) {
        this.timeout = timeout;
        ScheduledThreadPoolExecutor s = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "continuo-query-deadlines");
            t.setDaemon(true);
            return t;
        });
        // most queries finish long before their deadline: drop their timers at once instead of holding them 30 s
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = s;
    }

    public Handler wrap(Handler handler) {
        return ctx -> {
            try (QueryDeadline ignored = QueryDeadline.open(timeout, scheduler)) {
                handler.handle(ctx);
            }
        };
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
