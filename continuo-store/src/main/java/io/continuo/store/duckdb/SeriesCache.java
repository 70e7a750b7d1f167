package io.continuo.store.duckdb;

import io.continuo.store.SeriesListing;

import io.continuo.model.Labels;
import io.continuo.model.Selector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every series by (tenant, type, labels), with its labels in memory so selectors are matched in Java and the database
 * only ever sees {@code series_id IN (...)}. Only the writer thread adds or removes; readers iterate a per-tenant
 * snapshot (array + size, slots filled before the size is published).
 * <p>
 * Metric series are series whose type is {@code ":" + metricName}: a leading ':' is never a valid profile type name.
 */
final class SeriesCache {
    static final String METRIC_PREFIX = SeriesListing.METRIC_PREFIX;

    /** One series. {@code firstMs}/{@code lastMs} are upload timestamps; only the writer thread writes them. */
    static final class Series implements SeriesListing.Listed {
        final int id;
        final String tenant;
        final String type;
        final String unit;
        final Labels labels;
        volatile long firstMs;
        volatile long lastMs;
        /** The first/last values stored in the series table (writer only). */
        long storedFirstMs;
        long storedLastMs;

        @Override
        public String type() {
            return type;
        }

        @Override
        public String unit() {
            return unit;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        Series(int id, String tenant, String type, String unit, Labels labels, long firstMs, long lastMs) {
            this.id = id;
            this.tenant = tenant;
            this.type = type;
            this.unit = unit;
            this.labels = labels;
            this.firstMs = firstMs;
            this.lastMs = lastMs;
            this.storedFirstMs = firstMs;
            this.storedLastMs = lastMs;
        }

        boolean isMetric() {
            return type.startsWith(METRIC_PREFIX);
        }

        String metricName() {
            return type.substring(METRIC_PREFIX.length());
        }
    }

    record Key(String tenant, String type, Labels labels) {
    }

    private record TenantSnapshot(Series[] items, int size) {
    }

    private final Map<Key, Series> byKey = new HashMap<>();
    private final Map<String, TenantSnapshot> byTenant = new ConcurrentHashMap<>();
    private int nextId = 1;

    int nextId() {
        return nextId;
    }

    /** Writer only. */
    Series get(Key key) {
        return byKey.get(key);
    }

    int tenantSize(String tenant) {
        TenantSnapshot t = byTenant.get(tenant);
        return t == null ? 0 : t.size;
    }

    /** Writer only: registers a new or loaded series. */
    Series add(int id, String tenant, String type, String unit, Labels labels, long firstMs, long lastMs) {
        Series s = new Series(id, tenant, type, unit, labels, firstMs, lastMs);
        byKey.put(new Key(tenant, type, labels), s);
        nextId = Math.max(nextId, id + 1);
        TenantSnapshot t = byTenant.get(tenant);
        Series[] items = t == null ? new Series[16] : t.items;
        int size = t == null ? 0 : t.size;
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = s;
        byTenant.put(tenant, new TenantSnapshot(items, size + 1));
        return s;
    }

    /** Writer only: drops series (after retention removed all their rows). */
    void removeAll(List<Series> gone) {
        Map<String, List<Series>> perTenant = new HashMap<>();
        for (Series s : gone) {
            byKey.remove(new Key(s.tenant, s.type, s.labels));
            perTenant.computeIfAbsent(s.tenant, k -> new ArrayList<>()).add(s);
        }
        perTenant.forEach((tenant, list) -> {
            TenantSnapshot t = byTenant.get(tenant);
            var dead = new java.util.HashSet<>(list);
            Series[] kept = new Series[Math.max(16, t.size)];
            int n = 0;
            for (int i = 0; i < t.size; i++) {
                if (!dead.contains(t.items[i])) {
                    kept[n++] = t.items[i];
                }
            }
            byTenant.put(tenant, new TenantSnapshot(kept, n));
        });
    }

    /** Every series of every tenant (writer use: flushing timestamps, retention). */
    List<Series> all() {
        return new ArrayList<>(byKey.values());
    }

    /**
     * Series of a tenant matching a type (null: any profile type; {@code "*"}: any, metrics included), a selector and
     * overlapping [from, until) by their upload timestamps, widened by {@code slackMs} at the end.
     */
    List<Series> select(String tenant, String type, Selector selector, long from, long until, long slackMs) {
        TenantSnapshot t = byTenant.get(tenant);
        if (t == null) {
            return List.of();
        }
        List<Series> out = new ArrayList<>();
        Series[] items = t.items;
        for (int i = 0; i < t.size; i++) {
            Series s = items[i];
            if (type == null ? s.isMetric() : !type.equals("*") && !type.equals(s.type)) {
                continue;
            }
            if (s.firstMs >= until || s.lastMs + slackMs < from) {
                continue;
            }
            if (selector == null || selector.matches(s.labels)) {
                out.add(s);
            }
        }
        return out;
    }
}
