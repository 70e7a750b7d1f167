package io.continuo.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * An immutable set of label name/value pairs, sorted by name, each name at most once.
 * Names follow Prometheus rules; values are any string. Limits on count and length are applied by {@link LabelLimits}.
 */
public final class Labels {
    public static final Labels EMPTY = new Labels(new String[0]);

    public static final String SERVICE = "service";
    public static final String VERSION = "version";
    public static final String ENV = "env";
    public static final String INSTANCE = "instance";
    public static final String ENDPOINT = "endpoint";
    public static final String THREAD = "thread";
    public static final String SPAN_ID = "span_id";
    public static final String TRACE_ID = "trace_id";

    /** name0, value0, name1, value1... sorted by name. */
    private final String[] pairs;
    private int hash;

    private Labels(String[] pairs) {
        this.pairs = pairs;
    }

    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels need name/value pairs");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public static Labels of(Map<String, String> map) {
        Builder b = builder();
        map.forEach(b::put);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        forEach(b::put);
        return b;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    public String name(int i) {
        return pairs[2 * i];
    }

    public String value(int i) {
        return pairs[2 * i + 1];
    }

    /** The value of a label, or null when absent. */
    public String get(String name) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = pairs[2 * mid].compareTo(name);
            if (c == 0) {
                return pairs[2 * mid + 1];
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    public Labels with(String name, String value) {
        return toBuilder().put(name, value).build();
    }

    public Labels without(String name) {
        if (get(name) == null) {
            return this;
        }
        Builder b = builder();
        forEach((n, v) -> {
            if (!n.equals(name)) {
                b.put(n, v);
            }
        });
        return b.build();
    }

    /** These labels with every label of {@code other} added, other's value winning on a shared name. */
    public Labels merge(Labels other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Builder b = toBuilder();
        other.forEach(b::put);
        return b.build();
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < pairs.length; i += 2) {
            action.accept(pairs[i], pairs[i + 1]);
        }
    }

    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        forEach(map::put);
        return Collections.unmodifiableMap(map);
    }

    /** A content hash of the sorted pairs: the same labels give the same fingerprint on every server. */
    public long fingerprint() {
        long h = Hashing.FNV_OFFSET_FOR_LABELS;
        for (String s : pairs) {
            h = Hashing.update(h, s);
            h = Hashing.update(h, '\u0000');
        }
        return Hashing.mix(h);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Labels other && Arrays.equals(pairs, other.pairs);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(pairs);
            hash = h;
        }
        return h;
    }

    /** Prometheus style: {@code {env="prod",service="shop"}}, values escaped. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(pairs[i]).append("=\"");
            escape(pairs[i + 1], sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    static void escape(String value, StringBuilder sb) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!(letter || (i > 0 && ((c >= '0' && c <= '9') || c == '.')))) {
                return false;
            }
        }
        return true;
    }

    /** Collects pairs; a later value for the same name replaces the earlier one. Empty values drop the label. */
    public static final class Builder {
        private final TreeMap<String, String> map = new TreeMap<>();

        public Builder put(String name, String value) {
            if (!isValidName(name)) {
                throw new ValidationException("invalid label name '" + Strings.abbreviate(name, 80)
                        + "': expected letters, digits, '_' or '.', not starting with a digit");
            }
            if (value == null || value.isEmpty()) {
                map.remove(name);
            } else {
                map.put(name, value);
            }
            return this;
        }

        public Builder putAll(Labels labels) {
            labels.forEach(this::put);
            return this;
        }

        public int size() {
            return map.size();
        }

        public Labels build() {
            if (map.isEmpty()) {
                return EMPTY;
            }
            String[] pairs = new String[map.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> e : map.entrySet()) {
                pairs[i++] = e.getKey();
                pairs[i++] = e.getValue();
            }
            return new Labels(pairs);
        }
    }
}
