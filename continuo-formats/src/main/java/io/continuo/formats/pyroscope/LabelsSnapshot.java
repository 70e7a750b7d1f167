package io.continuo.formats.pyroscope;

import io.continuo.model.Labels;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The labels of a Pyroscope Java agent upload: context id (the {@code contextId} field of its JFR events) to the
 * labels that were active in that context.
 */
public record LabelsSnapshot(Map<Long, Labels> contexts) {
    public static final LabelsSnapshot EMPTY = new LabelsSnapshot(Map.of());

    public LabelsSnapshot {
        contexts = Map.copyOf(contexts);
    }

    /** The labels of a context, empty when unknown (context 0 means "no context"). */
    public Labels labels(long contextId) {
        Labels labels = contexts.get(contextId);
        return labels == null ? Labels.EMPTY : labels;
    }

    /** As the hook {@link io.continuo.formats.jfr.JfrReader} takes. */
    public LongFunction<Labels> asFunction() {
        return this::labels;
    }
}
