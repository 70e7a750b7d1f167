package io.continuo.server.insights;

import java.util.List;
import java.util.Map;

/**
 * One finding of a detector, as {@code GET /api/v1/insights} returns it (see docs/insights.md).
 *
 * @param kind     {@code memory_leak}, {@code cpu_spike}, {@code profile_spike} or {@code regression}
 * @param service  the service it concerns
 * @param type     the profile type the evidence comes from (e.g. {@code cpu}, {@code alloc_bytes})
 * @param labels   the series it concerns ({@code service} plus e.g. {@code instance} or {@code version})
 * @param start    unix ms when it started (trend start, spike start, first sample of the new version)
 * @param end      unix ms of the last evidence
 * @param severity {@code info}, {@code warning} or {@code critical}
 * @param summary  one readable sentence
 * @param culprits functions, most responsible first
 * @param link     a relative UI URL that opens the evidence (usually the compare view)
 * @param details  detector-specific figures (slopes, p-values, baselines), for people and for alert rules
 */
public record Insight(String kind, String service, String type, Map<String, String> labels, long start, long end,
                      String severity, String summary, List<Culprit> culprits, String link, Map<String, Object> details) {

    public static final String MEMORY_LEAK = "memory_leak";
    public static final String CPU_SPIKE = "cpu_spike";
    public static final String PROFILE_SPIKE = "profile_spike";
    public static final String REGRESSION = "regression";

    public static final String INFO = "info";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";

    public Insight {
        labels = Map.copyOf(labels);
        culprits = List.copyOf(culprits);
        details = Map.copyOf(details);
    }

    /** A function held responsible: its share of the evidence window and how much that share (or rate) grew. */
    public record Culprit(String name, double share, double growth) {
    }

    static int severityRank(String severity) {
        return switch (severity) {
            case CRITICAL -> 2;
            case WARNING -> 1;
            default -> 0;
        };
    }
}
