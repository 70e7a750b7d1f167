package io.continuo.server.insights;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Detector, alerting and cost settings, validated once. Defaults are documented in docs/insights.md.
 *
 * @param enabled            run the background evaluation at all
 * @param interval           how often the scheduler evaluates (default 1 min)
 * @param window             the range each scheduled evaluation covers, ending now (default 6 h)
 * @param leakMinPoints      fewest heap readings after the last restart before a trend is judged (default 8)
 * @param leakMinZ           Mann–Kendall score a growth must reach (default 2.33: one-sided p < 0.01)
 * @param leakMinGrowth      least growth over the trend, as a fraction of its starting level (default 0.10)
 * @param spikeLookback      history a spike baseline learns from (default 24 h)
 * @param spikeStep          bucket of the spike series (default 5 min)
 * @param spikeMinZ          robust z-score (median/MAD) of a spike (default 5)
 * @param spikeMinRatio      least ratio of a spike to the baseline median (default 1.5)
 * @param regressionMaxP     p-value (Mann–Whitney U, Bonferroni-corrected) a regression must beat (default 0.01)
 * @param regressionMinShare least absolute growth of a function's share of its profile, 0..1 (default 0.02)
 * @param pricePerCoreHour   dollars per CPU core-hour (default 0.04)
 * @param pricePerGbHour     dollars per GB-hour of memory (default 0.005)
 * @param alertRulesFile     JSON file of alert rules and webhooks, or null
 * @param webhooks           webhook URLs alerts are posted to (in addition to those of the rules file)
 * @param rulesStateFile     where rules created through the API are kept across restarts, or null
 * @param minStep            finest bucket of the leak and regression series and of version spans (default 1 min);
 *                           with {@code spikeStep} and {@code window} it sets the detectors' time scale, which tests
 *                           of short real runs shrink
 */
public record InsightsConfig(boolean enabled, Duration interval, Duration window, int leakMinPoints, double leakMinZ,
                             double leakMinGrowth, Duration spikeLookback, Duration spikeStep, double spikeMinZ,
                             double spikeMinRatio, double regressionMaxP, double regressionMinShare,
                             double pricePerCoreHour, double pricePerGbHour, Path alertRulesFile, List<String> webhooks,
                             Path rulesStateFile, Duration minStep) {

    public InsightsConfig {
        require(interval.toMillis() >= 1000, "interval must be at least 1s, got " + interval);
        require(window.toMillis() >= 60_000, "window must be at least 1m, got " + window);
        require(leakMinPoints >= 4 && leakMinPoints <= 10_000, "leakMinPoints must be 4..10000, got " + leakMinPoints);
        require(leakMinZ > 0, "leakMinZ must be positive");
        require(leakMinGrowth >= 0, "leakMinGrowth must be >= 0");
        require(spikeStep.toMillis() >= 1000, "spikeStep must be at least 1s");
        require(spikeLookback.compareTo(spikeStep.multipliedBy(8)) >= 0, "spikeLookback must cover at least 8 spikeSteps");
        require(spikeMinZ > 0 && spikeMinRatio >= 1, "spikeMinZ must be > 0 and spikeMinRatio >= 1");
        require(regressionMaxP > 0 && regressionMaxP < 1, "regressionMaxP must be in (0, 1)");
        require(regressionMinShare >= 0 && regressionMinShare < 1, "regressionMinShare must be in [0, 1)");
        require(pricePerCoreHour >= 0 && pricePerGbHour >= 0, "prices must be >= 0");
        require(minStep.toMillis() >= 1000, "minStep must be at least 1s, got " + minStep);
        webhooks = List.copyOf(webhooks);
    }

    public static InsightsConfig defaults() {
        return new InsightsConfig(true, Duration.ofMinutes(1), Duration.ofHours(6), 8, 2.33, 0.10,
                Duration.ofHours(24), Duration.ofMinutes(5), 5.0, 1.5, 0.01, 0.02, 0.04, 0.005, null, List.of(), null,
                Duration.ofMinutes(1));
    }

    public InsightsConfig withEnabled(boolean on) {
        return new InsightsConfig(on, interval, window, leakMinPoints, leakMinZ, leakMinGrowth, spikeLookback, spikeStep,
                spikeMinZ, spikeMinRatio, regressionMaxP, regressionMinShare, pricePerCoreHour, pricePerGbHour,
                alertRulesFile, webhooks, rulesStateFile, minStep);
    }

    public InsightsConfig withInterval(Duration every) {
        return new InsightsConfig(enabled, every, window, leakMinPoints, leakMinZ, leakMinGrowth, spikeLookback, spikeStep,
                spikeMinZ, spikeMinRatio, regressionMaxP, regressionMinShare, pricePerCoreHour, pricePerGbHour,
                alertRulesFile, webhooks, rulesStateFile, minStep);
    }

    public InsightsConfig withPrices(double perCoreHour, double perGbHour) {
        return new InsightsConfig(enabled, interval, window, leakMinPoints, leakMinZ, leakMinGrowth, spikeLookback, spikeStep,
                spikeMinZ, spikeMinRatio, regressionMaxP, regressionMinShare, perCoreHour, perGbHour,
                alertRulesFile, webhooks, rulesStateFile, minStep);
    }

    public InsightsConfig withAlerting(Path rulesFile, List<String> hooks, Path stateFile) {
        return new InsightsConfig(enabled, interval, window, leakMinPoints, leakMinZ, leakMinGrowth, spikeLookback, spikeStep,
                spikeMinZ, spikeMinRatio, regressionMaxP, regressionMinShare, pricePerCoreHour, pricePerGbHour,
                rulesFile, hooks, stateFile, minStep);
    }

    /**
     * The detectors' time scale: the evaluated {@code window}, the spike buckets and their baseline {@code lookback},
     * and the finest bucket of the other series. Production keeps the defaults (6 h, 5 min, 24 h, 1 min); the
     * real-JVM scenario tests run minutes, not hours, and shrink them.
     */
    public InsightsConfig withTimeScale(Duration window, Duration spikeStep, Duration spikeLookback, Duration minStep) {
        return new InsightsConfig(enabled, interval, window, leakMinPoints, leakMinZ, leakMinGrowth, spikeLookback, spikeStep,
                spikeMinZ, spikeMinRatio, regressionMaxP, regressionMinShare, pricePerCoreHour, pricePerGbHour,
                alertRulesFile, webhooks, rulesStateFile, minStep);
    }

    /** The least robust z-score and ratio to the baseline median that make a bucket a spike. */
    public InsightsConfig withSpikeThresholds(double minZ, double minRatio) {
        return new InsightsConfig(enabled, interval, window, leakMinPoints, leakMinZ, leakMinGrowth, spikeLookback, spikeStep,
                minZ, minRatio, regressionMaxP, regressionMinShare, pricePerCoreHour, pricePerGbHour,
                alertRulesFile, webhooks, rulesStateFile, minStep);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
