package io.continuo.store.clickhouse;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The ClickHouse endpoints a server may talk to, with failover: a request tries live endpoints first, in the
 * configured order; an endpoint that failed at the connection level is skipped for {@link #RETRY_AFTER_NANOS} and
 * then tried again (once it answers it is live again). When every endpoint is marked dead they are all tried anyway,
 * oldest failure first, so a cluster that came back is noticed by the next request rather than after a timer.
 * Thread-safe without locks: one timestamp per endpoint.
 */
final class Endpoints {
    static final long RETRY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final List<URI> urls;
    /** Per endpoint: System.nanoTime() until which it is skipped; 0 when live. */
    private final AtomicLongArray deadUntil;
    private final LongSupplier nanoTime;

    Endpoints(List<URI> urls) {
        this(urls, System::nanoTime);
    }

    Endpoints(List<URI> urls, LongSupplier nanoTime) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one ClickHouse endpoint is needed");
        }
        this.urls = List.copyOf(urls);
        this.deadUntil = new AtomicLongArray(urls.size());
        this.nanoTime = nanoTime;
    }

    int size() {
        return urls.size();
    }

    URI get(int i) {
        return urls.get(i);
    }

    /** Endpoint indexes in the order to try them: live ones in configured order, then the skipped ones. */
    List<Integer> order() {
        long now = nanoTime.getAsLong();
        List<Integer> live = new ArrayList<>(urls.size());
        List<Integer> dead = new ArrayList<>(0);
        for (int i = 0; i < urls.size(); i++) {
            long until = deadUntil.get(i);
            if (until == 0 || until - now <= 0) {
                live.add(i);
            } else {
                dead.add(i);
            }
        }
        dead.sort((a, b) -> Long.compare(deadUntil.get(a), deadUntil.get(b)));
        live.addAll(dead);
        return live;
    }

    void failed(int i) {
        deadUntil.set(i, nanoTime.getAsLong() + RETRY_AFTER_NANOS);
    }

    void succeeded(int i) {
        if (deadUntil.get(i) != 0) {
            deadUntil.set(i, 0);
        }
    }

    boolean isLive(int i) {
        long until = deadUntil.get(i);
        return until == 0 || until - nanoTime.getAsLong() <= 0;
    }
}
