package io.continuo.agent.upload;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Uploads waiting for the uploader thread. {@link #offer} never blocks: when the queue is over its
 * item or byte limit, the oldest entries are dropped (newer data is worth more to someone looking at
 * "now") and counted. A single item bigger than the byte limit is dropped on arrival.
 */
public final class BoundedQueue {
    private final int maxItems;
    private final long maxBytes;
    private final ArrayDeque<Payload> items = new ArrayDeque<>();
    private long bytes;
    private long dropped;
    private long droppedBytes;
    private int inFlight;

    public BoundedQueue(int maxItems, long maxBytes) {
        if (maxItems < 1) throw new IllegalArgumentException("maxItems must be >= 1, was " + maxItems);
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    public synchronized void offer(Payload p) {
        if (p.size() > maxBytes) {
            dropped++;
            droppedBytes += p.size();
            return;
        }
        items.addLast(p);
        bytes += p.size();
        while (items.size() > maxItems || bytes > maxBytes) {
            Payload old = items.removeFirst();
            bytes -= old.size();
            dropped++;
            droppedBytes += old.size();
        }
        notifyAll();
    }

    /** Waits up to {@code timeout} for an item; null when none arrived. */
    public synchronized Payload poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (items.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        Payload p = items.removeFirst();
        bytes -= p.size();
        inFlight++;
        return p;
    }

    /** The consumer finished with an item {@link #poll} returned (sent, failed or dropped). */
    public synchronized void done() {
        if (inFlight > 0) inFlight--;
    }

    /** Nothing waiting and nothing taken but not yet {@link #done}. */
    public synchronized boolean idle() { return items.isEmpty() && inFlight == 0; }

    public synchronized int size() { return items.size(); }

    public synchronized long bytes() { return bytes; }

    public synchronized long dropped() { return dropped; }

    public synchronized long droppedBytes() { return droppedBytes; }
}
