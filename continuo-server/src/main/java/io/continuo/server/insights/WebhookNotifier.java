package io.continuo.server.insights;

import io.continuo.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts alert notifications to webhooks from one named daemon thread. {@link #send} never blocks: the queue holds
 * at most {@value #CAPACITY} notifications and drops the oldest when full (counted in {@link #dropped()}). Each POST
 * is bounded by a timeout and retried on I/O errors, 429 and 5xx, at most {@code maxAttempts} times, sleeping a
 * full-jitter exponential backoff between tries: uniform in [0, min(cap, base·2^attempt)). The random source and
 * the sleeper are injected so a test can assert the exact delays.
 */
public final class WebhookNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    static final int CAPACITY = 1000;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final int maxAttempts;
    private final long baseMillis;
    private final long capMillis;
    private final Random random;
    private final Sleeper sleeper;
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Thread worker;

    WebhookNotifier(int maxAttempts, long baseMillis, long capMillis, Random random, Sleeper sleeper) {
        if (maxAttempts < 1 || baseMillis < 1 || capMillis < baseMillis) {
            throw new IllegalArgumentException("maxAttempts must be >= 1 and 1 <= baseMillis <= capMillis");
        }
        this.maxAttempts = maxAttempts;
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
        this.random = random;
        this.sleeper = sleeper;
    }

    static WebhookNotifier standard() {
        return new WebhookNotifier(6, 500, 30_000, new Random(), Thread::sleep);
    }

    /** Queues one notification for every URL; drops the oldest queued one when full. */
    void send(List<String> urls, Map<String, Object> payload) {
        if (urls.isEmpty() || closed.get()) {
            return;
        }
        synchronized (queue) {
            for (String url : urls) {
                if (queue.size() >= CAPACITY) {
                    queue.pollFirst();
                    dropped.incrementAndGet();
                }
                queue.addLast(new Object[]{url, payload});
            }
            if (worker == null) {
                worker = new Thread(this::loop, "continuo-alert-webhook");
                worker.setDaemon(true);
                worker.start();
            }
            queue.notifyAll();
        }
    }

    private void loop() {
        while (!closed.get()) {
            Object[] next;
            synchronized (queue) {
                while (queue.isEmpty() && !closed.get()) {
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                next = queue.pollFirst();
            }
            if (next == null) {
                continue;
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> payload = (Map<String, Object>) next[1];
                deliver((String) next[0], payload);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Posts one payload, retrying as the class doc says. Returns the backoff delays slept, in order (for tests);
     * the outcome is counted in {@link #delivered()} / {@link #failed()}.
     */
    List<Long> deliver(String url, Map<String, Object> payload) throws InterruptedException {
        List<Long> delays = new ArrayList<>();
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            String problem;
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
                int s = r.statusCode();
                if (s >= 200 && s < 300) {
                    delivered.incrementAndGet();
                    return delays;
                }
                if (s != 429 && s < 500) {
                    LOG.warn("webhook {} refused the notification with {}; not retrying", url, s);
                    failed.incrementAndGet();
                    return delays;
                }
                problem = "HTTP " + s;
            } catch (IOException | IllegalArgumentException e) {
                problem = e.toString();
            }
            if (attempt + 1 == maxAttempts) {
                LOG.warn("webhook {} failed {} times, giving up: {}", url, maxAttempts, problem);
                break;
            }
            long ceiling = Math.min(capMillis, baseMillis << Math.min(attempt, 30));
            long delay = (long) (random.nextDouble() * ceiling);
            delays.add(delay);
            sleeper.sleep(delay);
        }
        failed.incrementAndGet();
        return delays;
    }

    long dropped() {
        return dropped.get();
    }

    long delivered() {
        return delivered.get();
    }

    long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread t;
        synchronized (queue) {
            queue.notifyAll();
            t = worker;
        }
        if (t != null) {
            t.interrupt();
        }
    }
}
