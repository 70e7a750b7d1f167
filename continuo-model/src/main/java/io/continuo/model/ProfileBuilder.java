package io.continuo.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles a {@link Profile} sample by sample, merging samples that share a stack and labels.
 * Rejects stacks deeper than the configured limit, so a hostile upload cannot make the server walk a million frames.
 */
public final class ProfileBuilder {
    public static final int DEFAULT_MAX_STACK_DEPTH = 4096;

    /** Presizing is a hint; past this a hostile sample count still grows the tables on real samples only. */
    private static final int MAX_PRESIZED_SAMPLES = 1 << 14;
    private static final int STACK_NODES_PER_SAMPLE = 4;

    private final List<ProfileType> types;
    private final int maxStackDepth;
    private final FrameTable frames = new FrameTable();
    private final StackTable stacks;
    private final LongIntMap sampleIndex;
    private final Map<Labels, Integer> labelIndex = new HashMap<>();
    private final List<Labels> labelSets = new ArrayList<>();
    private int sampleCount;
    private int[] sampleStacks;
    private int[] sampleLabels;
    private long[] values;
    private long startNanos;
    private long durationNanos;
    private long periodNanos;

    public ProfileBuilder(List<ProfileType> types) {
        this(types, DEFAULT_MAX_STACK_DEPTH);
    }

    public ProfileBuilder(List<ProfileType> types, int maxStackDepth) {
        this(types, maxStackDepth, 0);
    }

    /**
     * A builder presized for about {@code expectedSamples} samples (a decoder that has counted them), so the
     * stack and sample tables do not rehash their way up while a large profile is read.
     */
    public ProfileBuilder(List<ProfileType> types, int maxStackDepth, int expectedSamples) {
        if (types.isEmpty()) {
            throw new ValidationException("a profile needs at least one sample type");
        }
        this.types = List.copyOf(types);
        this.maxStackDepth = maxStackDepth;
        int samples = Math.min(Math.max(256, expectedSamples), MAX_PRESIZED_SAMPLES);
        // Distinct stacks share prefixes: a few new stack nodes per sample is typical of real profiles.
        this.stacks = new StackTable(Math.max(1024, samples * STACK_NODES_PER_SAMPLE));
        this.sampleIndex = new LongIntMap(Math.max(1024, samples));
        this.sampleStacks = new int[samples];
        this.sampleLabels = new int[samples];
        this.values = new long[samples * types.size()];
        labelIndex.put(Labels.EMPTY, 0);
        labelSets.add(Labels.EMPTY);
    }

    public List<ProfileType> types() {
        return types;
    }

    public ProfileBuilder window(long startNanos, long durationNanos) {
        this.startNanos = startNanos;
        this.durationNanos = Math.max(0, durationNanos);
        return this;
    }

    public ProfileBuilder period(long periodNanos) {
        this.periodNanos = periodNanos;
        return this;
    }

    public int frame(Frame frame) {
        return frames.intern(frame);
    }

    public int frame(String name) {
        return frames.intern(Frame.of(name));
    }

    /** Interns a stack given root first (frame indexes from {@link #frame}). */
    public int stack(int[] frameIdsRootFirst, int length) {
        checkDepth(length);
        return stacks.intern(frameIdsRootFirst, length);
    }

    /** The stack {@code parent + frame}: lets decoders build stacks without an intermediate array. */
    public int childStack(int parentStack, int frameId) {
        if (stacks.depth(parentStack) >= maxStackDepth) {
            checkDepth(stacks.depth(parentStack) + 1);
        }
        return stacks.child(parentStack, frameId);
    }

    private void checkDepth(int depth) {
        if (depth > maxStackDepth) {
            throw new ValidationException("stack too deep: " + depth + " frames (limit " + maxStackDepth + ")");
        }
    }

    public void addSample(int[] frameIdsRootFirst, int length, long[] sampleValues, Labels labels) {
        addSample(stack(frameIdsRootFirst, length), sampleValues, labels);
    }

    /** Adds values (one per type) to the sample of this stack and labels. */
    public void addSample(int stack, long[] sampleValues, Labels labels) {
        int width = types.size();
        int base = sampleOf(stack, labels) * width;
        for (int t = 0; t < width && t < sampleValues.length; t++) {
            values[base + t] = Math.addExact(values[base + t], sampleValues[t]);
        }
    }

    /** Adds one value to one type of the sample of this stack and labels. */
    public void addValue(int stack, int type, long value, Labels labels) {
        // sampleOf may grow (replace) the values array, so it must run before the array is read
        int index = sampleOf(stack, labels) * types.size() + type;
        // exact: a wrapped sum would store a plausible-looking wrong number (decoders turn this into a 422)
        values[index] = Math.addExact(values[index], value);
    }

    /** The sample of this stack and label set, created on first use. */
    private int sampleOf(int stack, Labels labels) {
        int labelSet = labelIndex.computeIfAbsent(labels == null ? Labels.EMPTY : labels, l -> {
            labelSets.add(l);
            return labelSets.size() - 1;
        });
        long key = ((long) stack << 32) | labelSet;
        int sample = sampleIndex.get(key);
        if (sample == LongIntMap.MISSING) {
            sample = newSample(stack, labelSet);
            sampleIndex.put(key, sample);
        }
        return sample;
    }

    private int newSample(int stack, int labelSet) {
        if (sampleCount == sampleStacks.length) {
            int capacity = sampleCount * 2;
            sampleStacks = Arrays.copyOf(sampleStacks, capacity);
            sampleLabels = Arrays.copyOf(sampleLabels, capacity);
            values = Arrays.copyOf(values, capacity * types.size());
        }
        sampleStacks[sampleCount] = stack;
        sampleLabels[sampleCount] = labelSet;
        return sampleCount++;
    }

    public int sampleCount() {
        return sampleCount;
    }

    public Profile build() {
        return new Profile(types, frames, stacks, sampleCount, sampleStacks, values, sampleLabels, labelSets,
                startNanos, durationNanos, periodNanos);
    }
}
