package io.continuo.store;

import io.continuo.model.ValidationException;

/**
 * Checks a batch on the caller's thread, before it is queued, so the writer thread never appends half of a bad batch.
 * Messages name the field and the offending value. Bad input is a {@link ValidationException} (HTTP 400).
 */
public final class Validation {
    public static final String DEFAULT_TENANT = "default";
    public static final int MAX_TENANT_LENGTH = 256;

    private Validation() {
    }

    public static String tenant(String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            return DEFAULT_TENANT;
        }
        if (tenant.length() > MAX_TENANT_LENGTH) {
            throw new ValidationException("tenant longer than " + MAX_TENANT_LENGTH + " characters");
        }
        return tenant;
    }

    public static void metricName(String name) {
        if (name == null || name.isEmpty() || name.length() > 200) {
            throw new ValidationException("metric name must have 1..200 characters, got '" + name + "'");
        }
    }

    public static void check(WriteBatch b) {
        tenant(b.tenant());
        if (b.untilMillis() < b.fromMillis()) {
            throw new ValidationException("untilMillis " + b.untilMillis() + " before fromMillis " + b.fromMillis());
        }
        if (b.series() == null || b.traces() == null) {
            throw new ValidationException("series and traces must not be null (use empty lists)");
        }
        if ((!b.series().isEmpty() || !b.traces().isEmpty()) && b.source() == null) {
            throw new ValidationException("a batch with rows needs its source profile");
        }
        int stackCount = b.source() == null ? 0 : b.source().stacks().size();
        for (SeriesRows r : b.series()) {
            rows("series " + r.labels(), r.labels() == null, r.type() == null, r.stacks(), r.values(), r.count(),
                    stackCount);
        }
        for (TraceRows r : b.traces()) {
            if (r.traceId() == null || r.spanId() == null) {
                throw new ValidationException("trace rows need a trace id and a span id");
            }
            rows("trace " + r.traceId(), r.labels() == null, r.type() == null, r.stacks(), r.values(), r.count(),
                    stackCount);
        }
    }

    private static void rows(String what, boolean noLabels, boolean noType, int[] stacks, long[] values, int count,
                             int stackCount) {
        if (noLabels || noType) {
            throw new ValidationException(what + ": labels and type are required");
        }
        if (count < 0 || stacks == null || values == null || count > stacks.length || count > values.length) {
            throw new ValidationException(what + ": count " + count + " exceeds its stacks/values arrays");
        }
        for (int i = 0; i < count; i++) {
            if (stacks[i] < 0 || stacks[i] >= stackCount) {
                throw new ValidationException(what + ": row " + i + " refers to stack " + stacks[i]
                        + ", outside the source's " + stackCount + " stacks");
            }
        }
    }
}
