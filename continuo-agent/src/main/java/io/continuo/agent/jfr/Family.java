package io.continuo.agent.jfr;

import io.continuo.agent.pprof.ProfileBuilder;

/** One profile per event family per interval: its pprof sample types and the builder collecting it. */
public final class Family {
    public final String name;
    final StackResolver resolver;

    Family(String name, String[] types, String[] units, String periodType, String periodUnit, int maxDepth) {
        this.name = name;
        this.resolver = new StackResolver(new ProfileBuilder(types, units, periodType, periodUnit), maxDepth);
    }

    public ProfileBuilder builder() { return resolver.builder(); }

    public void clear() { resolver.clear(); }
}
