package io.continuo.store.duckdb;

import io.continuo.model.Frame;
import io.continuo.model.Hashing;
import io.continuo.model.LongIntMap;
import io.continuo.model.Profile;
import io.continuo.model.StackTable;

import java.util.Arrays;

/**
 * Every frame and stack the store has seen, by dense local id, in primitive arrays. Stacks and frames are immutable
 * once created, so the cache only grows.
 * <p>
 * One writer (the store's writer thread) interns; readers take a {@link Snapshot}. The writer fills array slots before
 * publishing a snapshot whose size covers them, and never writes a slot below a published size, so readers need no
 * lock. Local stack 0 is the empty root stack (hash 0); a stack's parent always has a smaller id.
 */
final class StackCache {
    /** What readers see: ids below {@code stackCount}/{@code frameCount} are valid. */
    record Snapshot(int[] parents, int[] frames, int stackCount, String[] frameNames, int frameCount) {
    }

    private final LongIntMap stackByHash;
    private final LongIntMap frameByHash;
    private int[] parents;
    private int[] frames;
    private long[] stackHashes;
    private int stackCount = 1;
    private String[] frameNames;
    private long[] frameHashes;
    private int frameCount;
    private volatile Snapshot snapshot;

    StackCache(int expectedStacks, int expectedFrames) {
        int stacks = Math.max(1024, expectedStacks + 1);
        int frameCapacity = Math.max(256, expectedFrames);
        stackByHash = new LongIntMap(stacks);
        frameByHash = new LongIntMap(frameCapacity);
        parents = new int[stacks];
        frames = new int[stacks];
        stackHashes = new long[stacks];
        parents[0] = -1;
        frames[0] = -1;
        frameNames = new String[frameCapacity];
        frameHashes = new long[frameCapacity];
        publish();
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Makes everything interned so far visible to readers. Call before the transaction commits. */
    void publish() {
        snapshot = new Snapshot(parents, frames, stackCount, frameNames, frameCount);
    }

    int stackCount() {
        return stackCount;
    }

    int frameCount() {
        return frameCount;
    }

    /** Loads a stored frame; ids must arrive dense and in order. */
    void loadFrame(int localId, long hash, String name) {
        if (localId != frameCount) {
            throw new IllegalStateException("frames table not dense: expected id " + frameCount + ", got " + localId);
        }
        addFrame(hash, name);
    }

    /** Loads a stored stack; ids must arrive dense and in order, starting at 1. */
    void loadStack(int localId, long hash, int parent, int frame) {
        if (localId != stackCount) {
            throw new IllegalStateException("stacks table not dense: expected id " + stackCount + ", got " + localId);
        }
        addStack(hash, parent, frame);
    }

    private int addFrame(long hash, String name) {
        if (frameCount == frameNames.length) {
            int capacity = frameCount * 2;
            frameNames = Arrays.copyOf(frameNames, capacity);
            frameHashes = Arrays.copyOf(frameHashes, capacity);
        }
        int id = frameCount;
        frameNames[id] = name;
        frameHashes[id] = hash;
        frameByHash.put(hash, id);
        frameCount++;
        return id;
    }

    private int addStack(long hash, int parent, int frame) {
        if (stackCount == parents.length) {
            int capacity = stackCount * 2;
            parents = Arrays.copyOf(parents, capacity);
            frames = Arrays.copyOf(frames, capacity);
            stackHashes = Arrays.copyOf(stackHashes, capacity);
        }
        int id = stackCount;
        parents[id] = parent;
        frames[id] = frame;
        stackHashes[id] = hash;
        stackByHash.put(hash, id);
        stackCount++;
        return id;
    }

    /** Receives frames and stacks created while mapping an upload, so they can be appended to their tables. */
    interface NewRows {
        void frame(int localId, long hash, Frame frame);

        void stack(int localId, long hash, int parent, int frame);
    }

    /**
     * Maps one upload's stack indexes to local stack ids, interning what is new. Memoised per source stack and
     * frame, so each source node is hashed once however many rows share it.
     */
    final class SourceMapping {
        private final Profile source;
        private final StackTable sourceStacks;
        private final int[] localStack;
        private final int[] localFrame;
        private final NewRows sink;
        private int[] chain = new int[64];

        SourceMapping(Profile source, NewRows sink) {
            this.source = source;
            this.sourceStacks = source.stacks();
            this.localStack = new int[sourceStacks.size()];
            this.localFrame = new int[source.frames().size()];
            Arrays.fill(localStack, -1);
            Arrays.fill(localFrame, -1);
            localStack[StackTable.ROOT] = 0;
            this.sink = sink;
        }

        int sourceStackCount() {
            return localStack.length;
        }

        /** The local id of source stack {@code s}; iterative, so a 4,096-deep stack cannot overflow. */
        int localStack(int s) {
            int known = localStack[s];
            if (known >= 0) {
                return known;
            }
            int depth = 0;
            int cur = s;
            while (localStack[cur] < 0) {
                if (depth == chain.length) {
                    chain = Arrays.copyOf(chain, depth * 2);
                }
                chain[depth++] = cur;
                cur = sourceStacks.parent(cur);
            }
            int parentLocal = localStack[cur];
            for (int i = depth - 1; i >= 0; i--) {
                int node = chain[i];
                int frame = localFrame(sourceStacks.frame(node));
                long hash = Hashing.stackId(stackHashes[parentLocal], frameHashes[frame]);
                int id = stackByHash.get(hash);
                if (id == LongIntMap.MISSING) {
                    id = addStack(hash, parentLocal, frame);
                    sink.stack(id, hash, parentLocal, frame);
                }
                localStack[node] = id;
                parentLocal = id;
            }
            return parentLocal;
        }

        private int localFrame(int f) {
            int known = localFrame[f];
            if (known >= 0) {
                return known;
            }
            Frame frame = source.frames().get(f);
            long hash = frame.id();
            int id = frameByHash.get(hash);
            if (id == LongIntMap.MISSING) {
                id = addFrame(hash, frame.name());
                sink.frame(id, hash, frame);
            }
            localFrame[f] = id;
            return id;
        }
    }
}
