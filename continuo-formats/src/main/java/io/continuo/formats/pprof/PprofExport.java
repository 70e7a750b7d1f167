package io.continuo.formats.pprof;

import io.continuo.model.FlameTree;
import io.continuo.model.Frame;
import io.continuo.model.Labels;
import io.continuo.model.Profile;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.model.StackTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A query result as a pprof profile that {@code go tool pprof} and other pprof readers read fully: time and
 * duration of the query range, a period and period type (a nominal 10 ms for cpu and wall, else one unit), one sample per stack and group with the group's labels,
 * and the sample type under Continuo's name and under the name Go's runtime gives the same measure
 * ({@code alloc_space}, {@code inuse_space}, {@code contentions}, {@code delay}, {@code goroutine}, and
 * {@code samples} beside {@code cpu}/{@code wall}), so {@code -sample_index=inuse_space} works on a Go heap. Go's name
 * comes first and ours last, since pprof tools show the last sample type by default ({@code cpu} as in Go's own
 * CPU profiles). Reading the export back maps both names onto the same type; ingest keeps the first column.
 */
public final class PprofExport {
    /** The period stated for time types: the usual sampling period (pprof readers show it, nothing scales by it). */
    public static final long NOMINAL_TIME_PERIOD_NANOS = 10_000_000L;

    private static final Map<String, String> GO_NAMES = Map.of(
            ProfileType.ALLOC_BYTES.name(), "alloc_space",
            ProfileType.INUSE_BYTES.name(), "inuse_space",
            ProfileType.LOCK_COUNT.name(), "contentions",
            ProfileType.LOCK_DURATION.name(), "delay",
            ProfileType.GOROUTINES.name(), "goroutine");
    private static final String SAMPLES = "samples";

    /** One group of the query (its group-by labels; empty when not grouped) and its flame graph. */
    public record Group(Labels labels, FlameTree tree) {
    }

    private PprofExport() {
    }

    /** The profile for groups of one type over [fromMillis, untilMillis). */
    public static Profile toProfile(ProfileType type, List<Group> groups, long fromMillis, long untilMillis) {
        List<ProfileType> types = new ArrayList<>(2);
        String goName = GO_NAMES.get(type.name());
        boolean samples = type.equals(ProfileType.CPU) || type.equals(ProfileType.WALL);
        if (samples) {
            types.add(new ProfileType(SAMPLES, ProfileType.COUNT));
        } else if (goName != null) {
            types.add(new ProfileType(goName, type.unit()));
        }
        types.add(type);
        int ours = types.size() - 1;
        ProfileBuilder builder = new ProfileBuilder(types, Integer.MAX_VALUE);
        builder.window(fromMillis * 1_000_000L, Math.max(0, untilMillis - fromMillis) * 1_000_000L);
        long period = samples ? NOMINAL_TIME_PERIOD_NANOS : 1;
        builder.period(period);
        Map<String, Integer> frames = new HashMap<>();
        long[] values = new long[types.size()];
        for (Group g : groups) {
            g.tree().forEachStack(0, (path, value) -> {
                int stack = StackTable.ROOT;
                for (String name : path) {
                    stack = builder.childStack(stack, frames.computeIfAbsent(name, n -> builder.frame(Frame.of(n))));
                }
                values[ours] = value;
                if (ours == 1) {
                    values[0] = samples ? Math.max(1, Math.round(value / (double) period)) : value;
                }
                builder.addSample(stack, values, g.labels());
            });
        }
        return builder.build();
    }
}
