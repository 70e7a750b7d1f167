package io.continuo.model;

import java.util.Arrays;

/**
 * Stacks as a parent-pointer tree: a stack is its parent stack plus one leaf frame, so shared prefixes are stored once.
 * Stack 0 is the empty root stack; every other stack is a dense int index with a parent and a frame index
 * (into a {@link FrameTable}).
 */
public final class StackTable {
    public static final int ROOT = 0;

    private int[] parents;
    private int[] frames;
    private int[] depths;
    private int size = 1;
    private final LongIntMap children;

    public StackTable() {
        this(1024);
    }

    public StackTable(int expected) {
        int capacity = Math.max(16, expected);
        parents = new int[capacity];
        frames = new int[capacity];
        depths = new int[capacity];
        parents[ROOT] = -1;
        frames[ROOT] = -1;
        children = new LongIntMap(capacity);
    }

    /** The stack made of {@code parent} plus {@code frame} as its new leaf, created on first use. */
    public int child(int parent, int frame) {
        long key = ((long) parent << 32) | (frame & 0xffffffffL);
        int existing = children.get(key);
        if (existing != LongIntMap.MISSING) {
            return existing;
        }
        if (size == parents.length) {
            int capacity = size * 2;
            parents = Arrays.copyOf(parents, capacity);
            frames = Arrays.copyOf(frames, capacity);
            depths = Arrays.copyOf(depths, capacity);
        }
        int id = size++;
        parents[id] = parent;
        frames[id] = frame;
        depths[id] = depths[parent] + 1;
        children.put(key, id);
        return id;
    }

    /** Interns a stack given root first. */
    public int intern(int[] frameIdsRootFirst, int length) {
        int stack = ROOT;
        for (int i = 0; i < length; i++) {
            stack = child(stack, frameIdsRootFirst[i]);
        }
        return stack;
    }

    public int parent(int stack) {
        return parents[stack];
    }

    public int frame(int stack) {
        return frames[stack];
    }

    public int depth(int stack) {
        return depths[stack];
    }

    /** Number of stacks including the root. */
    public int size() {
        return size;
    }

    /** Writes the frames of a stack root first into {@code out} (at least depth long) and returns the depth. */
    public int framesRootFirst(int stack, int[] out) {
        int depth = depths[stack];
        for (int i = depth - 1, s = stack; i >= 0; i--, s = parents[s]) {
            out[i] = frames[s];
        }
        return depth;
    }
}
