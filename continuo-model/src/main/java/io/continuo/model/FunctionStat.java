package io.continuo.model;

import java.util.Comparator;

/** One function's share of a flame graph: its own time ({@code self}) and time including callees ({@code total}). */
public record FunctionStat(String name, long self, long total) {
    public static final Comparator<FunctionStat> BY_SELF = Comparator.comparingLong(FunctionStat::self).reversed()
            .thenComparing(Comparator.comparingLong(FunctionStat::total).reversed())
            .thenComparing(FunctionStat::name);
    public static final Comparator<FunctionStat> BY_TOTAL = Comparator.comparingLong(FunctionStat::total).reversed()
            .thenComparing(Comparator.comparingLong(FunctionStat::self).reversed())
            .thenComparing(FunctionStat::name);
}
