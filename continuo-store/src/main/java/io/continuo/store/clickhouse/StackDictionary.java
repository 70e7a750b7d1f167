package io.continuo.store.clickhouse;

import io.continuo.model.FlameTree;
import io.continuo.model.Hashing;
import io.continuo.model.LongIntMap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stacks and frames by content hash, cached in memory and loaded from ClickHouse on a miss, so any server resolves
 * stacks another server wrote. Stacks and frames never change once written, so a cached entry is never stale; the
 * cache is cleared when it outgrows {@code maxCachedStacks} rather than tracked entry by entry.
 * <p>
 * Nodes are kept as parent pointers (stack id -> parent id, leaf frame id): the path stored with one stack yields
 * every prefix, so shared prefixes are held once. {@code stored} records which sampled stacks (and {@code frameNames}
 * which frames) are known to have rows in ClickHouse, so the writer sends each only once per server.
 */
final class StackDictionary {
    private static final int LOOKUP_CHUNK = 20_000;
    static final String UNKNOWN_FRAME = "[unknown]";

    private final ClickHouseHttp http;
    private final int maxEntries;
    private final Map<Long, long[]> nodes = new ConcurrentHashMap<>();
    private final Set<Long> stored = ConcurrentHashMap.newKeySet();
    private final Map<Long, String> frameNames = new ConcurrentHashMap<>();

    StackDictionary(ClickHouseHttp http, int maxEntries) {
        this.http = http;
        this.maxEntries = maxEntries;
    }

    boolean isStored(long stackId) {
        return stored.contains(stackId);
    }

    boolean hasFrame(long frameId) {
        return frameNames.containsKey(frameId);
    }

    /** Records a stack whose row ClickHouse acknowledged; {@code path} holds frame ids root first. */
    void markStored(long stackId, long[] path) {
        trim();
        addPath(path);
        stored.add(stackId);
    }

    /** Records a frame whose row ClickHouse acknowledged. */
    void markFrame(long frameId, String name) {
        frameNames.put(frameId, name);
    }

    private void trim() {
        if (nodes.size() > maxEntries) {
            nodes.clear();
            stored.clear();
        }
        if (frameNames.size() > maxEntries) {
            frameNames.clear();
        }
    }

    /** Adds every prefix of a path; returns the id of the whole path. */
    private long addPath(long[] path) {
        long id = 0;
        for (long frame : path) {
            long next = Hashing.stackId(id, frame);
            nodes.putIfAbsent(next, new long[]{id, frame});
            id = next;
        }
        return id;
    }

    /**
     * Builds a one-column flame tree from (stack id, value) rows. Unknown stacks and frames are loaded first, in a
     * few queries; rows whose stack cannot be found are skipped.
     * <p>
     * Stack ids name prefixes too, so each prefix maps to one tree node: memoizing that map walks every distinct
     * prefix once, instead of every stack's whole path (rows times depth boxed lookups, which made most of a
     * 100,000-stack flame graph's time).
     */
    FlameTree tree(long[] stackIds, long[] values, int count) {
        trim();
        Set<Long> missing = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            if (!nodes.containsKey(stackIds[i])) {
                missing.add(stackIds[i]);
            }
        }
        loadStacks(missing);
        // Frames without a name, found by walking each distinct prefix once.
        LongIntMap seen = new LongIntMap(Math.max(16, count * 8));
        Set<Long> missingFrames = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            long s = stackIds[i];
            while (s != 0 && s != LongIntMap.FREE && seen.get(s) == LongIntMap.MISSING) {
                long[] node = nodes.get(s);
                if (node == null) {
                    break;
                }
                seen.put(s, 0);
                if (!frameNames.containsKey(node[1])) {
                    missingFrames.add(node[1]);
                }
                s = node[0];
            }
        }
        loadFrames(missingFrames);
        // Presized from the prefixes just walked (the tree has at most that many nodes), so nothing rehashes.
        FlameTree tree = new FlameTree(1, Math.max(1024, seen.size() + 1));
        TreeNodes treeNodes = new TreeNodes(tree, Math.max(16, seen.size()));
        for (int i = 0; i < count; i++) {
            if (values[i] == 0 || stackIds[i] == 0) {
                continue;
            }
            int node = treeNodes.of(stackIds[i]);
            if (node >= 0) {
                tree.addAt(0, node, values[i]);
            }
        }
        return tree;
    }

    /** Stack (prefix) id to its node in one tree being built, created with its missing ancestors on first use. */
    private final class TreeNodes {
        private final FlameTree tree;
        private final LongIntMap byStack;
        private final Map<Long, Integer> nameIds = new HashMap<>();
        private long[] pending = new long[64];
        private long[] frames = new long[64];

        TreeNodes(FlameTree tree, int expected) {
            this.tree = tree;
            this.byStack = new LongIntMap(expected);
        }

        /** The node of a stack, or -1 when some prefix of it is unknown. */
        int of(long stackId) {
            int depth = 0;
            long s = stackId;
            int base = FlameTree.ROOT;
            while (s != 0) {
                if (s == LongIntMap.FREE) {
                    return -1;
                }
                int known = byStack.get(s);
                if (known != LongIntMap.MISSING) {
                    base = known;
                    break;
                }
                long[] node = nodes.get(s);
                if (node == null) {
                    return -1;
                }
                if (depth == pending.length) {
                    pending = Arrays.copyOf(pending, depth * 2);
                    frames = Arrays.copyOf(frames, depth * 2);
                }
                pending[depth] = s;
                frames[depth++] = node[1];
                s = node[0];
            }
            for (int d = depth - 1; d >= 0; d--) {
                base = tree.child(base, nameId(frames[d]));
                byStack.put(pending[d], base);
            }
            return base;
        }

        private int nameId(long frame) {
            Integer id = nameIds.get(frame);
            if (id == null) {
                id = tree.nameId(frameNames.getOrDefault(frame, UNKNOWN_FRAME));
                nameIds.put(frame, id);
            }
            return id;
        }
    }

    private void loadStacks(Set<Long> ids) {
        forChunks(ids, list -> {
            RowBinaryInput in = http.query("SELECT stack_id, any(frame_ids) FROM stacks WHERE stack_id IN ("
                    + list + ") GROUP BY stack_id FORMAT RowBinary");
            while (in.hasMore()) {
                long id = in.int64();
                long[] path = in.int64Array();
                // A path that does not hash to its id is a foreign or corrupt row: ignore it rather than draw it.
                if (addPath(path) == id) {
                    stored.add(id);
                }
            }
        });
    }

    private void loadFrames(Set<Long> ids) {
        forChunks(ids, list -> {
            RowBinaryInput in = http.query("SELECT frame_id, any(name) FROM frames WHERE frame_id IN (" + list
                    + ") GROUP BY frame_id FORMAT RowBinary");
            while (in.hasMore()) {
                long id = in.int64();
                frameNames.put(id, in.string());
            }
        });
    }

    private static void forChunks(Set<Long> ids, java.util.function.Consumer<String> body) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (long id : ids) {
            if (n > 0) {
                sb.append(',');
            }
            sb.append(id);
            if (++n == LOOKUP_CHUNK) {
                body.accept(sb.toString());
                sb.setLength(0);
                n = 0;
            }
        }
        if (n > 0) {
            body.accept(sb.toString());
        }
    }
}
