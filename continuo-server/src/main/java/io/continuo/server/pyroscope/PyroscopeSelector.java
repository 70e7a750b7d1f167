package io.continuo.server.pyroscope;

import io.continuo.model.LabelMatcher;
import io.continuo.model.Selector;

import java.util.ArrayList;
import java.util.List;

/**
 * A Pyroscope label selector ({@code {service_name="shop", __profile_type__="process_cpu:..."}}) split into what the
 * store filters (series labels, with {@code service_name} renamed to {@code service}) and conditions on the profile
 * type (the {@code __...__} type labels), which pick among the stored types.
 *
 * @param store       matchers on series labels, in Continuo's names
 * @param types       matchers on the type labels
 * @param matchesNone true when a matcher asks for a value of a label no series has (another {@code __x__} label)
 */
record PyroscopeSelector(Selector store, List<LabelMatcher> types, boolean matchesNone) {

    static final PyroscopeSelector ALL = new PyroscopeSelector(Selector.ALL, List.of(), false);

    /** Parses {@code {...}}; blank selects everything. Syntax errors are ValidationExceptions naming the position. */
    static PyroscopeSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        return of(Selector.parse(text.trim()).matchers());
    }

    static PyroscopeSelector of(List<LabelMatcher> matchers) {
        List<LabelMatcher> store = new ArrayList<>();
        List<LabelMatcher> types = new ArrayList<>();
        boolean none = false;
        for (LabelMatcher m : matchers) {
            if (LabelNames.isTypeLabel(m.name())) {
                types.add(m);
            } else if (m.name().startsWith("__")) {
                // Pyroscope's other internal labels are on no Continuo series: absent matches like empty.
                none |= !m.matchesEmpty();
            } else {
                store.add(LabelMatcher.of(LabelNames.toContinuo(m.name()), m.op(), m.value()));
            }
        }
        return new PyroscopeSelector(new Selector(store), List.copyOf(types), none);
    }

    /** Whether series of this type can match. */
    boolean accepts(PyroscopeType type) {
        if (matchesNone) {
            return false;
        }
        for (LabelMatcher m : types) {
            if (!m.matches(type.label(m.name()))) {
                return false;
            }
        }
        return true;
    }
}
