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
    private int stackCount = 1;
    private String[] frameNames;
    private int frameCount;
    private volatile Snapshot snapshot;

    StackCache(int expectedStacks, int expectedFrames) {
        int stacks = Math.max(1024, expectedStacks + 1);
        int frameCapacity = Math.max(256, expectedFrames);
        stackByHash = new LongIntMap(stacks);
        frameByHash = new LongIntMap(frameCapacity);
        parents = new int[stacks];
        frames = new int[stacks];
        parents[0] = -1;
        frames[0] = -1;
        frameNames = new String[frameCapacity];
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
        }
        int id = frameCount;
        frameNames[id] = name;
        frameByHash.put(hash, id);
        frameCount++;
        return id;
    }

    private int addStack(long hash, int parent, int frame) {
        if (stackCount == parents.length) {
            int capacity = stackCount * 2;
            parents = Arrays.copyOf(parents, capacity);
            frames = Arrays.copyOf(frames, capacity);
        }
        int id = stackCount;
        parents[id] = parent;
        frames[id] = frame;
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
     * Maps one upload's stack indexes to local stack ids, interning what is new. A stack's content hash needs no
     * lookup (it is its parent's hash mixed with its frame's), so the mapping hashes every source stack in one pass
     * over the upload's small arrays and then looks up only the stacks rows name: in steady state that is one probe
     * of the large cache per row instead of one per stack prefix, and the cache is far bigger than the CPU's caches.
     * Ancestors are probed only for stacks the cache lacks. Memoised per source stack and frame.
     */
    final class SourceMapping {
        private final Profile source;
        private final StackTable sourceStacks;
        private final int[] localStack;
        private final int[] localFrame;
        private final NewRows sink;
        private long[] sourceHashes;
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
            long[] hashes = sourceHashes();
            int depth = 0;
            int cur = s;
            int found;
            while (true) {
                found = localStack[cur];
                if (found >= 0) {
                    break;
                }
                found = stackByHash.get(hashes[cur]);
                if (found != LongIntMap.MISSING) {
                    localStack[cur] = found;
                    break;
                }
                if (depth == chain.length) {
                    chain = Arrays.copyOf(chain, depth * 2);
                }
                chain[depth++] = cur;
                cur = sourceStacks.parent(cur);
            }
            // Every stack below the one found is new: a stack is only ever interned after its parent.
            int parentLocal = found;
            for (int i = depth - 1; i >= 0; i--) {
                int node = chain[i];
                int frame = localFrame(sourceStacks.frame(node));
                int id = addStack(hashes[node], parentLocal, frame);
                sink.stack(id, hashes[node], parentLocal, frame);
                localStack[node] = id;
                parentLocal = id;
            }
            return parentLocal;
        }

        /** Content hashes of all source stacks, root first: parents precede children in a {@link StackTable}. */
        private long[] sourceHashes() {
            if (sourceHashes == null) {
                int n = sourceStacks.size();
                long[] frameIds = new long[source.frames().size()];
                boolean[] frameHashed = new boolean[frameIds.length];
                long[] hashes = new long[n];
                for (int i = 1; i < n; i++) {
                    int f = sourceStacks.frame(i);
                    if (!frameHashed[f]) {
                        frameIds[f] = source.frames().get(f).id();
                        frameHashed[f] = true;
                    }
                    hashes[i] = Hashing.stackId(hashes[sourceStacks.parent(i)], frameIds[f]);
                }
                sourceHashes = hashes;
            }
            return sourceHashes;
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
