package io.continuo.server.pyroscope;

import io.continuo.model.LabelMatcher;
import io.continuo.model.Labels;
import io.continuo.model.ProfileType;
import io.continuo.model.Selector;
import io.continuo.model.Strings;
import io.continuo.model.ValidationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code query} of the legacy render API: a profile type id before the selector
 * ({@code process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="shop"}}, as the Drilldown app sends), the old
 * {@code APP.TYPE{...}} form ({@code shop.cpu{env="prod"}}, {@code shop.alloc_space}), or a selector naming the type
 * in {@code __profile_type__}.
 */
record RenderQuery(PyroscopeType type, PyroscopeSelector selector) {

    /** Old Pyroscope application suffixes that are not pprof sample type names. */
    private static final Map<String, String> LEGACY_SUFFIXES = Map.of(
            "itimer", ProfileType.CPU.name(),
            "mutex_count", ProfileType.LOCK_COUNT.name(),
            "mutex_duration", ProfileType.LOCK_DURATION.name(),
            "block_count", ProfileType.LOCK_COUNT.name(),
            "block_duration", ProfileType.LOCK_DURATION.name());

    static RenderQuery parse(String query) {
        if (query == null || query.isBlank()) {
            throw new ValidationException("missing 'query', e.g. 'shop.cpu{env=\"prod\"}' or "
                    + "'process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"shop\"}'");
        }
        String q = query.trim();
        int brace = q.indexOf('{');
        String prefix = (brace < 0 ? q : q.substring(0, brace)).trim();
        List<LabelMatcher> matchers = new ArrayList<>(brace < 0 ? List.of() : Selector.parse(q.substring(brace)).matchers());
        PyroscopeType type;
        if (prefix.isEmpty()) {
            String id = null;
            for (LabelMatcher m : matchers) {
                if (m.name().equals(LabelNames.PROFILE_TYPE) && m.op() == LabelMatcher.Op.EQ) {
                    id = m.value();
                }
            }
            if (id == null) {
                throw new ValidationException("'query' names no profile type: put one before '{' or in __profile_type__");
            }
            type = ProfileTypeIds.parse(id);
        } else if (prefix.indexOf(':') >= 0) {
            type = ProfileTypeIds.parse(prefix);
        } else {
            int dot = prefix.lastIndexOf('.');
            String app = dot > 0 ? prefix.substring(0, dot) : prefix;
            String suffix = dot > 0 ? prefix.substring(dot + 1) : ProfileType.CPU.name();
            String continuo = LEGACY_SUFFIXES.getOrDefault(suffix, ProfileType.fromPprof(suffix, "").name());
            type = ProfileTypeIds.of(continuo, ProfileType.of(continuo).unit());
            if (app.isEmpty()) {
                throw new ValidationException("invalid 'query' '" + Strings.abbreviate(q, 80) + "': no application name");
            }
            matchers.add(LabelMatcher.of(Labels.SERVICE, LabelMatcher.Op.EQ, app));
        }
        return new RenderQuery(type, PyroscopeSelector.of(matchers));
    }
}
