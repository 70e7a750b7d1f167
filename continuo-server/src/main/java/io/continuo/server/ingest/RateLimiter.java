package io.continuo.server.ingest;

import io.continuo.server.http.ApiException;
import io.continuo.server.http.TimeParser;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per tenant: {@code rate} uploads per second with a burst of one second's worth. */
final class RateLimiter {
    private final double rate;
    private final TimeParser clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double ratePerSecond, TimeParser clock) {
        this.rate = ratePerSecond;
        this.clock = clock;
    }

    void acquire(String tenant) {
        if (rate <= 0) {
            return;
        }
        Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(Math.max(1, rate), clock.nowMillis()));
        synchronized (bucket) {
            long now = clock.nowMillis();
            bucket.tokens = Math.min(Math.max(1, rate), bucket.tokens + (now - bucket.lastMillis) * rate / 1000.0);
            bucket.lastMillis = now;
            if (bucket.tokens < 1) {
                throw ApiException.tooManyRequests("ingest rate limit of " + rate + " uploads/s exceeded for tenant '" + tenant + "'");
            }
            bucket.tokens -= 1;
        }
    }

    private static final class Bucket {
        double tokens;
        long lastMillis;

        Bucket(double tokens, long lastMillis) {
            this.tokens = tokens;
            this.lastMillis = lastMillis;
        }
    }
}
