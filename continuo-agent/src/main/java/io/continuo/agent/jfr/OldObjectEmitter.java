package io.continuo.agent.jfr;

import io.continuo.agent.Log;
import jdk.jfr.Recording;

/**
 * Makes the JVM write its old-object samples ({@code jdk.OldObjectSample}) every {@code periodMillis}.
 *
 * <p>Why this is needed: the JVM's old-object sampler keeps up to 256 sampled allocations while they stay alive,
 * but writes them as events only when a recording that has the event enabled stops (or is dumped); a running
 * {@code RecordingStream} never sees one. Starting and stopping a short recording with the event enabled writes the
 * live samples into JFR's repository, where the agent's stream reads them like any other event (tried on JDK 17 and
 * 25: each stop delivers the samples alive at that moment). A start/stop costs about 0.1–0.3 s of wall time on this
 * thread, hence the long period. The sampler itself belongs to the agent's stream, which keeps the event enabled,
 * so stopping the short recording does not reset it.
 *
 * <p>One named daemon thread; {@link #close()} is idempotent and restores the interrupt flag it consumes.
 */
final class OldObjectEmitter implements Runnable {
    private final long periodMillis;
    private volatile boolean closed;
    private Thread thread;

    OldObjectEmitter(long periodMillis) { this.periodMillis = periodMillis; }

    synchronized void start() {
        if (thread != null || closed) return;
        thread = new Thread(this, "continuo-leaks");
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }

    @Override
    public void run() {
        try {
            while (!closed) {
                Thread.sleep(periodMillis);
                if (closed) return;
                emit();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            Log.debug("leak sites stopped: " + t);
        }
    }

    static void emit() {
        try (Recording r = new Recording()) {
            r.setName("continuo-leak-sites");
            r.setToDisk(true);
            r.enable(JfrEngine.OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "0 ns");
            r.start();
            r.stop();
        }
    }
}
