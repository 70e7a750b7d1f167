package io.continuo.server.pyroscope;

import com.google.protobuf.InvalidProtocolBufferException;
import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.FlameTree;
import io.continuo.model.Labels;
import io.continuo.model.ProfileType;
import io.continuo.model.Selector;
import io.continuo.server.http.TimeParser;
import io.continuo.server.pyroscope.proto.PprofProto;
import io.continuo.server.pyroscope.proto.QuerierProto;
import io.continuo.server.pyroscope.proto.TypesProto;
import io.continuo.server.query.QueryLimits;
import io.continuo.store.ProfileQuery;
import io.continuo.store.ProfileStore;
import io.continuo.store.SeriesFilter;
import io.continuo.store.TimeSeries;
import io.continuo.store.TraceQuery;
import io.continuo.store.TypeInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pyroscope's querier RPCs answered from Continuo's store through the same store calls as Continuo's own query API
 * (flame graphs, totals, label names and values, profile types, trace flame graphs), with names and types mapped.
 * Every call is for one tenant; times are unix milliseconds.
 */
final class QuerierService {
    /** Pyroscope's default flame graph size when a request gives no max_nodes. */
    static final int DEFAULT_MAX_NODES = 8192;
    private static final long DEFAULT_RANGE_MILLIS = 3_600_000L;
    private static final int MAX_SPANS = 1000;
    private static final int MAX_LABEL_VALUES = 10_000;

    private final ProfileStore store;
    private final TimeParser time;

    QuerierService(ProfileStore store, TimeParser time) {
        this.store = store;
        this.time = time;
    }

    QuerierProto.ProfileTypesResponse profileTypes(String tenant, QuerierProto.ProfileTypesRequest r) {
        long[] range = range(r.getStart(), r.getEnd());
        QuerierProto.ProfileTypesResponse.Builder out = QuerierProto.ProfileTypesResponse.newBuilder();
        for (PyroscopeType t : types(tenant, PyroscopeSelector.ALL, range)) {
            out.addProfileTypes(t.toProto());
        }
        return out.build();
    }

    TypesProto.LabelNamesResponse labelNames(String tenant, TypesProto.LabelNamesRequest r) {
        long[] range = range(r.getStart(), r.getEnd());
        TreeSet<String> names = new TreeSet<>();
        for (PyroscopeSelector sel : selectors(r.getMatchersList())) {
            List<PyroscopeType> types = types(tenant, sel, range);
            if (types.isEmpty()) {
                continue;
            }
            List<String> all = store.labelNames(filter(tenant, sel, range));
            if (sel.types().isEmpty()) {
                all.forEach(n -> names.add(LabelNames.toPyroscope(n)));
            } else {
                for (Labels set : labelSets(tenant, sel, range, types, all)) {
                    set.forEach((n, v) -> names.add(LabelNames.toPyroscope(n)));
                }
            }
            names.addAll(List.of(LabelNames.TYPE_LABELS));
        }
        return TypesProto.LabelNamesResponse.newBuilder().addAllNames(names).build();
    }

    TypesProto.LabelValuesResponse labelValues(String tenant, TypesProto.LabelValuesRequest r) {
        String name = r.getName();
        if (name.isEmpty()) {
            throw ConnectException.invalidArgument("missing 'name': the label whose values to list");
        }
        long[] range = range(r.getStart(), r.getEnd());
        TreeSet<String> values = new TreeSet<>();
        for (PyroscopeSelector sel : selectors(r.getMatchersList())) {
            List<PyroscopeType> types = types(tenant, sel, range);
            if (LabelNames.isTypeLabel(name)) {
                types.forEach(t -> values.add(t.label(name)));
            } else if (!types.isEmpty() && !name.startsWith("__")) {
                String label = LabelNames.toContinuo(name);
                if (sel.types().isEmpty()) {
                    values.addAll(store.labelValues(filter(tenant, sel, range), label, MAX_LABEL_VALUES));
                } else {
                    for (Labels set : labelSets(tenant, sel, range, types, List.of(label))) {
                        values.add(set.get(label) == null ? "" : set.get(label));
                    }
                }
            }
        }
        values.remove("");
        return TypesProto.LabelValuesResponse.newBuilder().addAllNames(values).build();
    }

    /**
     * The distinct values of {@code groupBy} on the series of these types with data in the range: how label names
     * and values are narrowed to a type, as the series index itself is not kept per type.
     */
    private List<Labels> labelSets(String tenant, PyroscopeSelector sel, long[] range, List<PyroscopeType> types, List<String> groupBy) {
        List<Labels> out = new ArrayList<>();
        if (range[1] <= range[0]) {
            return out;
        }
        for (PyroscopeType t : types) {
            ProfileQuery q = new ProfileQuery(tenant, t.continuoType(), sel.store(), range[0], range[1]);
            for (TimeSeries s : store.totals(q, range[1] - range[0], groupBy)) {
                out.add(s.labels());
            }
        }
        return out;
    }

    /**
     * The distinct label sets of the series with data in the range (each with its type labels), limited to the
     * requested names when some are given: the store's totals grouped by those labels, one query per profile type.
     */
    QuerierProto.SeriesResponse series(String tenant, QuerierProto.SeriesRequest r) {
        long[] range = range(r.getStart(), r.getEnd());
        List<String> wanted = r.getLabelNamesList();
        TreeMap<String, TypesProto.Labels> sets = new TreeMap<>();
        for (PyroscopeSelector sel : selectors(r.getMatchersList())) {
            List<PyroscopeType> types = types(tenant, sel, range);
            if (types.isEmpty()) {
                continue;
            }
            List<String> groupBy = new ArrayList<>();
            if (wanted.isEmpty()) {
                for (String n : store.labelNames(filter(tenant, sel, range))) {
                    if (!n.equals(Labels.SPAN_ID) && !n.equals(Labels.TRACE_ID)) {
                        groupBy.add(n);
                    }
                }
            } else {
                for (String n : wanted) {
                    if (!LabelNames.isTypeLabel(n)) {
                        groupBy.add(LabelNames.toContinuo(n));
                    }
                }
            }
            for (PyroscopeType t : types) {
                ProfileQuery q = new ProfileQuery(tenant, t.continuoType(), sel.store(), range[0], range[1]);
                for (TimeSeries s : store.totals(q, Math.max(1, range[1] - range[0]), groupBy)) {
                    TypesProto.Labels labels = labels(s.labels(), t, wanted, true);
                    sets.putIfAbsent(labels.toString(), labels);
                }
            }
        }
        return QuerierProto.SeriesResponse.newBuilder().addAllLabelsSet(sets.values()).build();
    }

    QuerierProto.SelectMergeStacktracesResponse selectMergeStacktraces(String tenant, QuerierProto.SelectMergeStacktracesRequest r) {
        checkFormat(r.getFormat());
        FlameTree tree = mergedTree(tenant, r);
        int maxNodes = maxNodes(r.hasMaxNodes(), r.getMaxNodes());
        return QuerierProto.SelectMergeStacktracesResponse.newBuilder()
                .setFlamegraph(FlameGraphs.single(tree.prune(maxNodes))).build();
    }

    QuerierProto.SelectMergeSpanProfileResponse selectMergeSpanProfile(String tenant, QuerierProto.SelectMergeSpanProfileRequest r) {
        checkFormat(r.getFormat());
        PyroscopeType type = ProfileTypeIds.parse(r.getProfileTypeID());
        PyroscopeSelector sel = PyroscopeSelector.parse(r.getLabelSelector());
        long[] range = range(r.getStart(), r.getEnd());
        if (r.getSpanSelectorCount() > MAX_SPANS) {
            throw ConnectException.invalidArgument("too many span ids: " + r.getSpanSelectorCount() + " (limit " + MAX_SPANS + ")");
        }
        FlameTree tree = new FlameTree();
        if (sel.accepts(type)) {
            for (String spanId : new TreeSet<>(r.getSpanSelectorList())) {
                if (!spanId.isBlank()) {
                    tree.merge(store.traceFlameGraph(new TraceQuery(tenant, type.continuoType(), null, spanId, range[0], range[1])));
                }
            }
        }
        int maxNodes = maxNodes(r.hasMaxNodes(), r.getMaxNodes());
        return QuerierProto.SelectMergeSpanProfileResponse.newBuilder()
                .setFlamegraph(FlameGraphs.single(tree.prune(maxNodes))).build();
    }

    PprofProto.Profile selectMergeProfile(String tenant, QuerierProto.SelectMergeProfileRequest r) {
        QuerierProto.SelectMergeStacktracesRequest.Builder q = QuerierProto.SelectMergeStacktracesRequest.newBuilder()
                .setProfileTypeID(r.getProfileTypeID()).setLabelSelector(r.getLabelSelector())
                .setStart(r.getStart()).setEnd(r.getEnd());
        if (r.hasStackTraceSelector()) {
            q.setStackTraceSelector(r.getStackTraceSelector());
        }
        FlameTree tree = mergedTree(tenant, q.build());
        if (r.hasMaxNodes() && r.getMaxNodes() > 0) {
            tree = tree.prune(maxNodes(true, r.getMaxNodes()));
        }
        String type = ProfileTypeIds.continuoType(r.getProfileTypeID());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PprofWriter.write(ProfileType.of(type), tree, 0, out, false);
            return PprofProto.Profile.parseFrom(out.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the pprof writer wrote an unreadable profile", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    QuerierProto.SelectSeriesResponse selectSeries(String tenant, QuerierProto.SelectSeriesRequest r) {
        PyroscopeType type = ProfileTypeIds.parse(r.getProfileTypeID());
        PyroscopeSelector sel = PyroscopeSelector.parse(r.getLabelSelector());
        long[] range = range(r.getStart(), r.getEnd());
        if (!(r.getStep() > 0) || Double.isInfinite(r.getStep())) {
            throw ConnectException.invalidArgument("'step' must be a positive number of seconds, got " + r.getStep());
        }
        long step = Math.max(1, Math.round(r.getStep() * 1000));
        if (r.hasStackTraceSelector() && r.getStackTraceSelector().getCallSiteCount() > 0) {
            throw ConnectException.unimplemented("stack_trace_selector is not supported on SelectSeries");
        }
        List<String> groupBy = new ArrayList<>();
        for (String n : r.getGroupByList()) {
            if (!LabelNames.isTypeLabel(n)) {
                groupBy.add(LabelNames.toContinuo(n));
            }
        }
        List<TimeSeries> series = List.of();
        if (sel.accepts(type)) {
            ProfileQuery q = new ProfileQuery(tenant, type.continuoType(), sel.store(), range[0], range[1]);
            boolean average = r.hasAggregation()
                    && r.getAggregation() == TypesProto.TimeSeriesAggregationType.TIME_SERIES_AGGREGATION_TYPE_AVERAGE;
            series = average ? SeriesAverages.of(store, q, step, groupBy) : store.totals(q, step, groupBy);
        }
        List<TypesProto.Series> out = new ArrayList<>();
        for (TimeSeries s : series) {
            TypesProto.Series.Builder b = TypesProto.Series.newBuilder()
                    .addAllLabels(labels(s.labels(), type, r.getGroupByList(), false).getLabelsList());
            for (int i = 0; i < s.timestamps().length; i++) {
                b.addPoints(TypesProto.Point.newBuilder().setTimestamp(s.timestamps()[i]).setValue(s.values()[i]));
            }
            out.add(b.build());
        }
        if (r.hasLimit() && r.getLimit() > 0 && out.size() > r.getLimit()) {
            out.sort(Comparator.comparingDouble(QuerierService::sum).reversed());
            out = out.subList(0, (int) r.getLimit());
        }
        return QuerierProto.SelectSeriesResponse.newBuilder().addAllSeries(out).build();
    }

    QuerierProto.DiffResponse diff(String tenant, QuerierProto.DiffRequest r) {
        if (!r.hasLeft() || !r.hasRight()) {
            throw ConnectException.invalidArgument("a diff needs both 'left' and 'right'");
        }
        String left = ProfileTypeIds.continuoType(r.getLeft().getProfileTypeID());
        String right = ProfileTypeIds.continuoType(r.getRight().getProfileTypeID());
        if (!left.equals(right)) {
            throw ConnectException.invalidArgument("left and right have different profile types: '"
                    + r.getLeft().getProfileTypeID() + "' and '" + r.getRight().getProfileTypeID() + "'");
        }
        FlameTree diff = FlameTree.diff(mergedTree(tenant, r.getLeft()), mergedTree(tenant, r.getRight()));
        int maxNodes = maxNodes(r.getLeft().hasMaxNodes(), r.getLeft().getMaxNodes());
        return QuerierProto.DiffResponse.newBuilder().setFlamegraph(FlameGraphs.diff(diff.prune(maxNodes))).build();
    }

    /** Whether the tenant has any profile; Continuo keeps no first/last times per tenant, so those stay 0. */
    TypesProto.GetProfileStatsResponse profileStats(String tenant) {
        long now = time.nowMillis();
        boolean any = !store.profileTypes(new SeriesFilter(tenant, Selector.ALL, 0, now + DEFAULT_RANGE_MILLIS)).isEmpty();
        return TypesProto.GetProfileStatsResponse.newBuilder().setDataIngested(any).build();
    }

    /** The merged flame graph of one SelectMergeStacktraces-shaped request (also each side of a diff). */
    FlameTree mergedTree(String tenant, QuerierProto.SelectMergeStacktracesRequest r) {
        PyroscopeType type = ProfileTypeIds.parse(r.getProfileTypeID());
        PyroscopeSelector sel = PyroscopeSelector.parse(r.getLabelSelector());
        long[] range = range(r.getStart(), r.getEnd());
        if (r.getProfileIdSelectorCount() > 0) {
            throw ConnectException.unimplemented("profile_id_selector: Continuo does not keep profile ids");
        }
        if (!sel.accepts(type)) {
            return new FlameTree();
        }
        FlameTree tree = store.flameGraph(new ProfileQuery(tenant, type.continuoType(), sel.store(), range[0], range[1]));
        return r.hasStackTraceSelector() ? CallSites.select(tree, r.getStackTraceSelector()) : tree;
    }

    /** The stored types, as Pyroscope types, that series matching the selector have in the range; sorted by id. */
    List<PyroscopeType> types(String tenant, PyroscopeSelector sel, long[] range) {
        if (sel.matchesNone()) {
            return List.of();
        }
        List<PyroscopeType> out = new ArrayList<>();
        for (TypeInfo t : store.profileTypes(filter(tenant, sel, range))) {
            PyroscopeType p = ProfileTypeIds.of(t.name(), t.unit());
            if (sel.accepts(p)) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparing(PyroscopeType::id));
        return out;
    }

    /** [from, until) from Pyroscope's start and end; 0 means "not given" (now, an hour before). */
    long[] range(long start, long end) {
        long until = end > 0 ? end : time.nowMillis();
        long from = start > 0 ? start : until - DEFAULT_RANGE_MILLIS;
        if (from > until) {
            throw ConnectException.invalidArgument("inverted time range: start " + from + " is after end " + until);
        }
        return new long[]{from, until};
    }

    private static SeriesFilter filter(String tenant, PyroscopeSelector sel, long[] range) {
        return new SeriesFilter(tenant, sel.store(), range[0], range[1]);
    }

    private static List<PyroscopeSelector> selectors(List<String> matchers) {
        List<PyroscopeSelector> out = new ArrayList<>();
        for (String m : matchers) {
            out.add(PyroscopeSelector.parse(m));
        }
        if (out.isEmpty()) {
            out.add(PyroscopeSelector.ALL);
        }
        return out;
    }

    /**
     * Series labels in Pyroscope's names plus the type labels, sorted; only the {@code wanted} names, or all of them
     * when {@code wanted} is empty and {@code allWhenEmpty}.
     */
    private static TypesProto.Labels labels(Labels labels, PyroscopeType type, List<String> wanted, boolean allWhenEmpty) {
        Map<String, String> m = new TreeMap<>();
        labels.forEach((n, v) -> m.put(LabelNames.toPyroscope(n), v));
        for (String n : LabelNames.TYPE_LABELS) {
            m.put(n, type.label(n));
        }
        TypesProto.Labels.Builder b = TypesProto.Labels.newBuilder();
        m.forEach((n, v) -> {
            if (wanted.isEmpty() ? allWhenEmpty : wanted.contains(n)) {
                b.addLabels(TypesProto.LabelPair.newBuilder().setName(n).setValue(v));
            }
        });
        return b.build();
    }

    private static double sum(TypesProto.Series s) {
        double total = 0;
        for (TypesProto.Point p : s.getPointsList()) {
            total += p.getValue();
        }
        return total;
    }

    private static int maxNodes(boolean given, long requested) {
        long n = given && requested > 0 ? requested : DEFAULT_MAX_NODES;
        return (int) Math.max(2, Math.min(n, QueryLimits.MAX_MAX_NODES));
    }

    private static void checkFormat(QuerierProto.ProfileFormat format) {
        if (format != QuerierProto.ProfileFormat.PROFILE_FORMAT_UNSPECIFIED
                && format != QuerierProto.ProfileFormat.PROFILE_FORMAT_FLAMEGRAPH) {
            throw ConnectException.unimplemented("profile format " + format + " is not supported: ask for the flame graph");
        }
    }
}
