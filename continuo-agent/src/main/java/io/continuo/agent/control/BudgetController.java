package io.continuo.agent.control;

/**
 * Keeps the agent's own CPU time under a fraction of the process's CPU time by scaling every
 * sampling knob with one factor: CPU period and lock threshold are multiplied by it, the allocation
 * sample rate divided. Over budget the factor doubles at once (back off fast); well under budget it
 * shrinks by a quarter per step (creep back slowly), so an idle process, whose small CPU time makes
 * the agent's fixed cost look large, is sampled sparsely and a busy one densely.
 *
 * <p>Pure arithmetic on the CPU deltas it is given, so tests drive it without a JVM or a clock.
 */
public final class BudgetController {
    /** Denser than the configured base by at most 2x during spikes. */
    public static final double MIN_SCALE = 0.5;
    /** Sparser than the base by at most 16x when idle or over budget. */
    public static final double MAX_SCALE = 16;
    private static final double SMOOTHING = 0.5;
    private static final double GROW_BELOW = 0.5;

    private final double budget;
    private double scale = 1;
    private double agentEwma = -1;
    private double processEwma = -1;

    public BudgetController(double budget) {
        if (!(budget > 0 && budget <= 1)) throw new IllegalArgumentException("budget must be in (0, 1], was " + budget);
        this.budget = budget;
    }

    public double budget() { return budget; }

    public double scale() { return scale; }

    /** Smoothed agent CPU / process CPU; NaN before the first observation. */
    public double ratio() {
        return processEwma <= 0 ? Double.NaN : agentEwma / processEwma;
    }

    /**
     * @param agentCpuNanos  CPU time of the agent's threads during the step
     * @param processCpuNanos CPU time of the whole process during the same step (includes the agent)
     * @return the new scale factor
     */
    public double observe(long agentCpuNanos, long processCpuNanos) {
        if (agentCpuNanos < 0 || processCpuNanos <= 0) return scale;
        agentEwma = agentEwma < 0 ? agentCpuNanos : SMOOTHING * agentCpuNanos + (1 - SMOOTHING) * agentEwma;
        processEwma = processEwma < 0 ? processCpuNanos : SMOOTHING * processCpuNanos + (1 - SMOOTHING) * processEwma;
        double r = agentEwma / processEwma;
        if (r > budget) {
            scale = Math.min(MAX_SCALE, scale * 2);
        } else if (r < budget * GROW_BELOW) {
            scale = Math.max(MIN_SCALE, scale * 0.75);
        }
        return scale;
    }
}
