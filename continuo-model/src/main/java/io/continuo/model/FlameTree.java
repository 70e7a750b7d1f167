package io.continuo.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A call tree of function names with a total and a self value per node, in one column (a flame graph) or two
 * (baseline and comparison of a diff). Node 0 is the root, named {@value #ROOT_NAME}; a node's index is always
 * greater than its parent's, so index order is a valid top-down order. All walks are iterative: a 100,000-frame
 * stack must not overflow the Java stack.
 */
public final class FlameTree {
    public static final String ROOT_NAME = "total";
    public static final String OTHER_NAME = "other";
    public static final int ROOT = 0;

    private final int columns;
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> nameIndex = new HashMap<>();
    private int size;
    private int[] parent;
    private int[] name;
    private int[] firstChild;
    private int[] nextSibling;
    private long[] total;
    private long[] self;
    private final LongIntMap childIndex;

    public FlameTree() {
        this(1, 256);
    }

    public FlameTree(int columns, int expectedNodes) {
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1");
        }
        this.columns = columns;
        int capacity = Math.max(16, expectedNodes);
        parent = new int[capacity];
        name = new int[capacity];
        firstChild = new int[capacity];
        nextSibling = new int[capacity];
        total = new long[capacity * columns];
        self = new long[capacity * columns];
        childIndex = new LongIntMap(capacity);
        nameId(ROOT_NAME);
        size = 1;
        parent[ROOT] = -1;
        firstChild[ROOT] = -1;
        nextSibling[ROOT] = -1;
    }

    public int columns() {
        return columns;
    }

    public int nameId(String functionName) {
        Integer id = nameIndex.get(functionName);
        if (id != null) {
            return id;
        }
        int next = names.size();
        names.add(functionName);
        nameIndex.put(functionName, next);
        return next;
    }

    public String name(int nameId) {
        return names.get(nameId);
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return size;
    }

    public int parent(int node) {
        return parent[node];
    }

    public int nameOf(int node) {
        return name[node];
    }

    public String functionName(int node) {
        return names.get(name[node]);
    }

    public long total(int node, int column) {
        return total[node * columns + column];
    }

    public long self(int node, int column) {
        return self[node * columns + column];
    }

    public long total() {
        return total[0];
    }

    public long total(int column) {
        return total[column];
    }

    /** The child of {@code node} named {@code nameId}, created on first use. */
    public int child(int node, int nameId) {
        long key = ((long) node << 32) | nameId;
        int existing = childIndex.get(key);
        if (existing != LongIntMap.MISSING) {
            return existing;
        }
        if (size == parent.length) {
            grow();
        }
        int id = size++;
        parent[id] = node;
        name[id] = nameId;
        firstChild[id] = -1;
        nextSibling[id] = firstChild[node];
        firstChild[node] = id;
        childIndex.put(key, id);
        return id;
    }

    /** Children of a node sorted by function name, the order flame graphs are drawn in. */
    public int[] children(int node) {
        int count = 0;
        for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
            count++;
        }
        Integer[] boxed = new Integer[count];
        int i = 0;
        for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
            boxed[i++] = c;
        }
        Arrays.sort(boxed, Comparator.comparing(this::functionName));
        int[] out = new int[count];
        for (i = 0; i < count; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    public boolean hasChildren(int node) {
        return firstChild[node] >= 0;
    }

    /** Adds a value at the end of a root-first path of name ids, in column 0. */
    public void add(int[] pathNameIds, int length, long value) {
        add(0, pathNameIds, length, value);
    }

    public void add(int column, int[] pathNameIds, int length, long value) {
        int node = ROOT;
        total[column] += value;
        for (int i = 0; i < length; i++) {
            node = child(node, pathNameIds[i]);
            total[node * columns + column] += value;
        }
        self[node * columns + column] += value;
    }

    /**
     * Adds a value at an existing node (from {@link #child}): its self value and the totals of it and its ancestors,
     * in one column. Callers that map many paths to nodes once (stores resolving shared prefixes) add by node.
     */
    public void addAt(int column, int node, long value) {
        self[node * columns + column] += value;
        for (int n = node; n != ROOT; n = parent[n]) {
            total[n * columns + column] += value;
        }
        total[column] += value;
    }

    /** Convenience for tests and small inputs: a root-first list of function names. */
    public void add(List<String> pathRootFirst, long value) {
        int[] ids = new int[pathRootFirst.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = nameId(pathRootFirst.get(i));
        }
        add(ids, ids.length, value);
    }

    /** Adds every node of {@code other}'s column {@code fromColumn} into this tree's column {@code toColumn}. */
    public void merge(FlameTree other, int fromColumn, int toColumn) {
        int[] mapped = new int[other.size];
        int[] nameMap = new int[other.names.size()];
        Arrays.fill(nameMap, -1);
        mapped[ROOT] = ROOT;
        total[toColumn] += other.total(ROOT, fromColumn);
        self[toColumn] += other.self(ROOT, fromColumn);
        for (int n = 1; n < other.size; n++) {
            int otherName = other.name[n];
            if (nameMap[otherName] < 0) {
                nameMap[otherName] = nameId(other.names.get(otherName));
            }
            int node = child(mapped[other.parent[n]], nameMap[otherName]);
            mapped[n] = node;
            total[node * columns + toColumn] += other.total(n, fromColumn);
            self[node * columns + toColumn] += other.self(n, fromColumn);
        }
    }

    public void merge(FlameTree other) {
        for (int c = 0; c < Math.min(columns, other.columns); c++) {
            merge(other, c, c);
        }
    }

    /** A two-column tree: column 0 the baseline, column 1 the comparison, nodes matched by their path of names. */
    public static FlameTree diff(FlameTree baseline, FlameTree comparison) {
        FlameTree tree = new FlameTree(2, baseline.size + comparison.size);
        tree.merge(baseline, 0, 0);
        tree.merge(comparison, 0, 1);
        return tree;
    }

    /**
     * A copy keeping at most {@code maxNodes} nodes: the largest ones (by the sum of their columns), with what is cut
     * under each kept node folded into one child named {@value #OTHER_NAME}. Every total stays exact.
     */
    public FlameTree prune(int maxNodes) {
        if (maxNodes < 2) {
            throw new ValidationException("maxNodes must be at least 2, got " + maxNodes);
        }
        if (size <= maxNodes) {
            return copy();
        }
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        long[] weight = new long[size];
        for (int n = 0; n < size; n++) {
            long w = 0;
            for (int c = 0; c < columns; c++) {
                w += total[n * columns + c];
            }
            weight[n] = w;
        }
        // Heaviest first; at equal weight the lower index (an ancestor comes before its descendants) first,
        // so every prefix of this order is a connected tree.
        Arrays.sort(order, (a, b) -> weight[a] != weight[b] ? Long.compare(weight[b], weight[a]) : Integer.compare(a, b));
        boolean[] kept = new boolean[size];
        int keep = maxNodes;
        while (true) {
            Arrays.fill(kept, false);
            for (int i = 0; i < keep; i++) {
                kept[order[i]] = true;
            }
            int others = countFoldedParents(kept);
            if (keep + others <= maxNodes) {
                break;
            }
            keep -= keep + others - maxNodes;
        }
        return copyKept(kept);
    }

    private int countFoldedParents(boolean[] kept) {
        boolean[] folds = new boolean[size];
        int count = 0;
        for (int n = 1; n < size; n++) {
            int p = parent[n];
            if (!kept[n] && kept[p] && !folds[p]) {
                folds[p] = true;
                count++;
            }
        }
        return count;
    }

    private FlameTree copyKept(boolean[] kept) {
        FlameTree out = new FlameTree(columns, size);
        int[] mapped = new int[size];
        int otherName = out.nameId(OTHER_NAME);
        for (int c = 0; c < columns; c++) {
            out.total[c] = total[c];
            out.self[c] = self[c];
        }
        for (int n = 1; n < size; n++) {
            int p = parent[n];
            if (kept[n]) {
                int node = out.child(mapped[p], out.nameId(names.get(name[n])));
                mapped[n] = node;
                for (int c = 0; c < columns; c++) {
                    out.total[node * columns + c] += total[n * columns + c];
                    out.self[node * columns + c] += self[n * columns + c];
                }
            } else if (kept[p]) {
                int other = out.child(mapped[p], otherName);
                for (int c = 0; c < columns; c++) {
                    long v = total[n * columns + c];
                    out.total[other * columns + c] += v;
                    out.self[other * columns + c] += v;
                }
            }
        }
        return out;
    }

    public FlameTree copy() {
        FlameTree out = new FlameTree(columns, size);
        for (int c = 0; c < columns; c++) {
            out.merge(this, c, c);
        }
        return out;
    }

    /**
     * Self and total per function name. A function's total counts each stack once even when the function recurses,
     * so totals never exceed the tree's total.
     */
    public List<FunctionStat> topFunctions(int column) {
        long[] selfByName = new long[names.size()];
        long[] totalByName = new long[names.size()];
        int[] onPath = new int[names.size()];
        boolean[] seen = new boolean[names.size()];
        int[] stack = new int[Math.max(16, size * 2)];
        int top = 0;
        for (int c = firstChild[ROOT]; c >= 0; c = nextSibling[c]) {
            stack[top++] = c;
        }
        while (top > 0) {
            int entry = stack[--top];
            if (entry < 0) {
                onPath[name[~entry]]--;
                continue;
            }
            int n = entry;
            int f = name[n];
            seen[f] = true;
            selfByName[f] += self[n * columns + column];
            if (onPath[f] == 0) {
                totalByName[f] += total[n * columns + column];
            }
            onPath[f]++;
            stack[top++] = ~n;
            for (int c = firstChild[n]; c >= 0; c = nextSibling[c]) {
                stack[top++] = c;
            }
        }
        List<FunctionStat> out = new ArrayList<>();
        for (int f = 0; f < names.size(); f++) {
            if (seen[f] && (selfByName[f] != 0 || totalByName[f] != 0)) {
                out.add(new FunctionStat(names.get(f), selfByName[f], totalByName[f]));
            }
        }
        out.sort(FunctionStat.BY_SELF);
        return out;
    }

    /** Calls of one function: the merged subtrees under its outermost occurrences, rooted at that function. */
    public FlameTree callees(String function) {
        FlameTree out = new FlameTree(columns, 64);
        Integer target = nameIndex.get(function);
        if (target == null) {
            return out;
        }
        int targetName = out.nameId(function);
        int[] mapped = new int[size];
        Arrays.fill(mapped, -1);
        for (int n = 1; n < size; n++) {
            int p = parent[n];
            int into;
            if (mapped[p] >= 0) {
                into = out.child(mapped[p], out.nameId(names.get(name[n])));
            } else if (name[n] == target) {
                into = out.child(ROOT, targetName);
                for (int c = 0; c < columns; c++) {
                    out.total[c] += total[n * columns + c];
                }
            } else {
                continue;
            }
            mapped[n] = into;
            for (int c = 0; c < columns; c++) {
                out.total[into * columns + c] += total[n * columns + c];
                out.self[into * columns + c] += self[n * columns + c];
            }
        }
        return out;
    }

    /**
     * Callers of one function as an inverted tree: the function at the root, its callers below it, their callers
     * below them. Each outermost occurrence contributes its total once.
     */
    public FlameTree callers(String function) {
        FlameTree out = new FlameTree(columns, 64);
        Integer target = nameIndex.get(function);
        if (target == null) {
            return out;
        }
        int[] path = new int[64];
        for (int n = 1; n < size; n++) {
            if (name[n] != target || hasAncestorNamed(n, target)) {
                continue;
            }
            int depth = 0;
            for (int a = n; a > ROOT; a = parent[a]) {
                if (depth == path.length) {
                    path = Arrays.copyOf(path, depth * 2);
                }
                path[depth++] = out.nameId(names.get(name[a]));
            }
            for (int c = 0; c < columns; c++) {
                long v = total[n * columns + c];
                int node = ROOT;
                out.total[c] += v;
                for (int i = 0; i < depth; i++) {
                    node = out.child(node, path[i]);
                    out.total[node * columns + c] += v;
                }
                out.self[node * columns + c] += v;
            }
        }
        return out;
    }

    private boolean hasAncestorNamed(int node, int nameId) {
        for (int a = parent[node]; a > ROOT; a = parent[a]) {
            if (name[a] == nameId) {
                return true;
            }
        }
        return false;
    }

    /** Visits every node with a self value in column 0 as a root-first path of names: the collapsed format. */
    public void forEachStack(int column, StackVisitor visitor) {
        List<String> path = new ArrayList<>();
        int[] depthOf = new int[size];
        String[] pathArray = new String[16];
        for (int n = 1; n < size; n++) {
            depthOf[n] = depthOf[parent[n]] + 1;
        }
        for (int n = 1; n < size; n++) {
            long v = self[n * columns + column];
            if (v == 0) {
                continue;
            }
            int depth = depthOf[n];
            if (pathArray.length < depth) {
                pathArray = new String[Math.max(depth, pathArray.length * 2)];
            }
            for (int i = depth - 1, a = n; i >= 0; i--, a = parent[a]) {
                pathArray[i] = names.get(name[a]);
            }
            path.clear();
            path.addAll(Arrays.asList(pathArray).subList(0, depth));
            visitor.visit(path, v);
        }
    }

    /** Receives one stack, root first, and its self value. */
    @FunctionalInterface
    public interface StackVisitor {
        void visit(List<String> pathRootFirst, long value);
    }

    private void grow() {
        int capacity = parent.length * 2;
        parent = Arrays.copyOf(parent, capacity);
        name = Arrays.copyOf(name, capacity);
        firstChild = Arrays.copyOf(firstChild, capacity);
        nextSibling = Arrays.copyOf(nextSibling, capacity);
        total = Arrays.copyOf(total, capacity * columns);
        self = Arrays.copyOf(self, capacity * columns);
    }
}
