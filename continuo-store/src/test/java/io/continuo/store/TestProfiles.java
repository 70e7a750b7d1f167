package io.continuo.store;

import io.continuo.model.FlameTree;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Small profiles from collapsed lines ("a;b;c 10"), and flame trees back to collapsed maps for comparison. */
public final class TestProfiles {
    public static final ProfileType CPU = ProfileType.CPU;

    private TestProfiles() {
    }

    public static Profile profile(String... collapsed) {
        ProfileBuilder b = new ProfileBuilder(List.of(CPU));
        for (String line : collapsed) {
            int space = line.lastIndexOf(' ');
            String[] names = line.substring(0, space).split(";");
            int[] frames = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                frames[i] = b.frame(names[i]);
            }
            b.addSample(frames, frames.length, new long[]{Long.parseLong(line.substring(space + 1))}, Labels.EMPTY);
        }
        return b.build();
    }

    public static SeriesRows rows(Profile p, Labels labels) {
        int n = p.sampleCount();
        int[] stacks = new int[n];
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            stacks[i] = p.stack(i);
            values[i] = p.value(i, 0);
        }
        return new SeriesRows(labels, CPU, stacks, values, n);
    }

    public static WriteBatch batch(String tenant, long ts, Labels labels, String... collapsed) {
        Profile p = profile(collapsed);
        return new WriteBatch(tenant, ts, ts + 10_000, p, List.of(rows(p, labels)), List.of());
    }

    public static WriteBatch traceBatch(String tenant, long ts, Labels labels, String traceId, String spanId,
                                 String... collapsed) {
        Profile p = profile(collapsed);
        SeriesRows r = rows(p, labels);
        return new WriteBatch(tenant, ts, ts + 10_000, p, List.of(r),
                List.of(new TraceRows(traceId, spanId, labels, CPU, r.stacks(), r.values(), r.count())));
    }

    public static Map<String, Long> collapsed(FlameTree tree) {
        Map<String, Long> out = new TreeMap<>();
        tree.forEachStack(0, (path, v) -> out.merge(String.join(";", path), v, Long::sum));
        return out;
    }

    public static Map<String, Long> collapsed(String... lines) {
        Map<String, Long> out = new TreeMap<>();
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            out.merge(line.substring(0, space), Long.parseLong(line.substring(space + 1)), Long::sum);
        }
        return out;
    }

    public static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
