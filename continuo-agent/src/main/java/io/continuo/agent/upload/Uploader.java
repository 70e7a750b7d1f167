package io.continuo.agent.upload;

import io.continuo.agent.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that talks to the server. Takes payloads from the bounded queue and sends each with
 * bounded retries: only 429/502/503/504 and I/O errors are retried, with full-jitter backoff; any
 * other status drops the payload. App threads never wait on it: producers only {@code offer}.
 */
public final class Uploader implements Runnable {
    /** Lets tests observe backoff without sleeping. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final BoundedQueue queue;
    private final Transport transport;
    private final Backoff backoff;
    private final int maxRetries;
    private final Sleeper sleeper;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private volatile boolean running = true;
    /** Set at JVM exit: failed uploads are not retried (no backoff sleeps in the last seconds). */
    private volatile boolean finishing;
    private volatile Thread thread;
    private volatile int lastLoggedStatus;

    public Uploader(BoundedQueue queue, Transport transport, Backoff backoff, int maxRetries, Sleeper sleeper) {
        this.queue = queue;
        this.transport = transport;
        this.backoff = backoff;
        this.maxRetries = maxRetries;
        this.sleeper = sleeper;
    }

    public static Sleeper realSleeper() {
        return d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());
    }

    public synchronized void start() {
        if (thread != null) return;
        Thread t = new Thread(this, "continuo-upload");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Idempotent; the thread finishes its current attempt at most one timeout later. */
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    public Thread thread() { return thread; }

    /** From now on failed uploads are not retried. */
    public void finishing() { finishing = true; }

    /**
     * At JVM exit: stop retrying and wait until the queue is empty and no upload is in flight, or until
     * {@code deadlineNanos} ({@link System#nanoTime()}), whichever comes first.
     * @return true when everything queued was handed to the transport and answered
     */
    public boolean finishBy(long deadlineNanos) throws InterruptedException {
        finishing();
        Thread t = thread;
        if (t == null || !t.isAlive()) return queue.size() == 0;
        while (!queue.idle()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) return false;
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 5_000_000L));
        }
        return true;
    }

    public long sent() { return sent.get(); }

    public long sentBytes() { return sentBytes.get(); }

    public long failed() { return failed.get(); }

    public long retries() { return retries.get(); }

    @Override
    public void run() {
        try {
            while (running) {
                Payload p = queue.poll(1, TimeUnit.SECONDS);
                if (p != null) {
                    try {
                        sendWithRetries(p);
                    } finally {
                        queue.done();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            Log.warn("uploader stopped after internal error: " + t);
        }
    }

    /** @return true when the server accepted the payload */
    public boolean sendWithRetries(Payload p) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            boolean retryable;
            String reason;
            try {
                int status = transport.send(p);
                if (status >= 200 && status < 300) {
                    sent.incrementAndGet();
                    sentBytes.addAndGet(p.size());
                    Log.debug("uploaded " + p.description + " (" + p.size() + " bytes)");
                    return true;
                }
                retryable = status == 429 || status == 502 || status == 503 || status == 504;
                reason = "HTTP " + status;
                if (!retryable && status != lastLoggedStatus) {
                    // One line per new kind of rejection: a misconfigured key should be visible, not spammy.
                    lastLoggedStatus = status;
                    Log.warn("server rejected " + p.description + ": HTTP " + status);
                }
            } catch (IOException e) {
                retryable = true;
                reason = e.toString();
            }
            if (!retryable || attempt >= maxRetries || !running || finishing) {
                failed.incrementAndGet();
                Log.debug("dropped " + p.description + " after " + (attempt + 1) + " attempt(s): " + reason);
                return false;
            }
            retries.incrementAndGet();
            sleeper.sleep(backoff.delay(attempt));
        }
    }
}
