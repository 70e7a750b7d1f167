package io.continuo.model;

import java.util.List;

/**
 * A decoded profile: one or more value columns (profile types) over samples, each sample a stack, its values
 * and its own labels (thread, span_id...). Samples with the same stack and labels are already merged.
 * Built by {@link ProfileBuilder}; immutable once built.
 */
public final class Profile {
    private final List<ProfileType> types;
    private final FrameTable frames;
    private final StackTable stacks;
    private final int sampleCount;
    private final int[] sampleStacks;
    private final long[] values;
    private final int[] sampleLabels;
    private final List<Labels> labelSets;
    private final long startNanos;
    private final long durationNanos;
    private final long periodNanos;

    Profile(List<ProfileType> types, FrameTable frames, StackTable stacks, int sampleCount, int[] sampleStacks,
            long[] values, int[] sampleLabels, List<Labels> labelSets, long startNanos, long durationNanos, long periodNanos) {
        this.types = List.copyOf(types);
        this.frames = frames;
        this.stacks = stacks;
        this.sampleCount = sampleCount;
        this.sampleStacks = sampleStacks;
        this.values = values;
        this.sampleLabels = sampleLabels;
        this.labelSets = List.copyOf(labelSets);
        this.startNanos = startNanos;
        this.durationNanos = durationNanos;
        this.periodNanos = periodNanos;
    }

    public List<ProfileType> types() {
        return types;
    }

    public int typeIndex(String typeName) {
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).name().equals(typeName)) {
                return i;
            }
        }
        return -1;
    }

    public FrameTable frames() {
        return frames;
    }

    public StackTable stacks() {
        return stacks;
    }

    public int sampleCount() {
        return sampleCount;
    }

    public int stack(int sample) {
        return sampleStacks[sample];
    }

    public long value(int sample, int type) {
        return values[sample * types.size() + type];
    }

    public Labels sampleLabels(int sample) {
        return labelSets.get(sampleLabels[sample]);
    }

    /** Index of the sample's label set in {@link #labelSets()}; 0 is the empty set. */
    public int sampleLabelIndex(int sample) {
        return sampleLabels[sample];
    }

    public List<Labels> labelSets() {
        return labelSets;
    }

    /** Start of the profiled window in unix nanoseconds, 0 when the source did not say. */
    public long startNanos() {
        return startNanos;
    }

    public long durationNanos() {
        return durationNanos;
    }

    /** The sampling period in nanoseconds when the source stated one, else 0. */
    public long periodNanos() {
        return periodNanos;
    }

    /** Sum of one type's values over all samples. */
    public long total(int type) {
        long sum = 0;
        for (int s = 0; s < sampleCount; s++) {
            sum += value(s, type);
        }
        return sum;
    }

    /** A flame graph of one value column. */
    public FlameTree toFlameTree(int type) {
        FlameTree tree = new FlameTree();
        int[] path = new int[64];
        int[] nameIds = new int[frames.size()];
        java.util.Arrays.fill(nameIds, -1);
        for (int s = 0; s < sampleCount; s++) {
            long v = value(s, type);
            if (v == 0) {
                continue;
            }
            int stack = sampleStacks[s];
            int depth = stacks.depth(stack);
            if (path.length < depth) {
                path = new int[Math.max(depth, path.length * 2)];
            }
            stacks.framesRootFirst(stack, path);
            for (int i = 0; i < depth; i++) {
                int f = path[i];
                if (nameIds[f] < 0) {
                    nameIds[f] = tree.nameId(frames.get(f).name());
                }
                path[i] = nameIds[f];
            }
            tree.add(path, depth, v);
        }
        return tree;
    }
}
