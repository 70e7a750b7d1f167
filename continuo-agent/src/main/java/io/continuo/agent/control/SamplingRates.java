package io.continuo.agent.control;

/**
 * The sampling settings in effect, and when each CPU period took effect. JFR delivers samples about a
 * second after they were taken, so a sample's value is the period in force at its own timestamp,
 * not the period in force when we read it; this keeps totals right across adjustments.
 * Written by the controller, read by the JFR thread: both are the same thread, so no locking.
 */
public final class SamplingRates {
    private static final int HISTORY = 32;
    private final long[] changedAt = new long[HISTORY];
    private final long[] periodNanos = new long[HISTORY];
    private int next;
    private int count;
    private long allocRate;
    private long lockThresholdNanos;

    public SamplingRates(long initialCpuPeriodNanos, long allocRate, long lockThresholdNanos) {
        setCpuPeriod(Long.MIN_VALUE, initialCpuPeriodNanos);
        this.allocRate = allocRate;
        this.lockThresholdNanos = lockThresholdNanos;
    }

    public void setCpuPeriod(long epochNanos, long period) {
        changedAt[next] = epochNanos;
        periodNanos[next] = period;
        next = (next + 1) % HISTORY;
        if (count < HISTORY) count++;
    }

    public long cpuPeriod() { return periodNanos[(next - 1 + HISTORY) % HISTORY]; }

    /** The period in force at {@code epochNanos}; the oldest known one for samples older than the history. */
    public long cpuPeriodAt(long epochNanos) {
        int oldest = 0;
        for (int k = 1; k <= count; k++) {
            int i = (next - k + HISTORY) % HISTORY;
            if (changedAt[i] <= epochNanos) return periodNanos[i];
            oldest = i;
        }
        return periodNanos[oldest];
    }

    public long allocRate() { return allocRate; }

    public void setAllocRate(long r) { allocRate = r; }

    public long lockThresholdNanos() { return lockThresholdNanos; }

    public void setLockThresholdNanos(long t) { lockThresholdNanos = t; }
}
