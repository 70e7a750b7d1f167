package io.continuo.agent.upload;

import java.time.Duration;
import java.util.Random;

/**
 * Full-jitter exponential backoff: the delay before retry {@code n} (0-based) is uniform in
 * {@code [0, min(max, base * 2^n))}. Full jitter spreads a fleet of agents that lost the same server
 * at the same moment; the Random is injected so tests can assert the exact sequence.
 */
public final class Backoff {
    private final long baseNanos;
    private final long maxNanos;
    private final Random random;

    public Backoff(Duration base, Duration max, Random random) {
        if (base.isNegative() || base.isZero()) throw new IllegalArgumentException("base must be > 0, was " + base);
        if (max.compareTo(base) < 0) throw new IllegalArgumentException("max must be >= base, was " + max);
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    public Duration delay(int retry) {
        long bound = Math.min(maxNanos, ceilingShift(retry));
        return Duration.ofNanos((long) (random.nextDouble() * bound));
    }

    /** base * 2^retry, stopping once past max so the shift cannot overflow. */
    private long ceilingShift(int retry) {
        long v = baseNanos;
        for (int i = 0; i < retry && v < maxNanos; i++) v <<= 1;
        return v;
    }
}
