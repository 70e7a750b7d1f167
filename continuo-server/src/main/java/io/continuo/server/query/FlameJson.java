package io.continuo.server.query;

import io.continuo.model.FlameTree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays a flame tree out as levels, the shape a canvas renderer draws directly and that never nests (a deep stack
 * cannot overflow a JSON parser): {@code levels[depth]} is a flat list of groups, one per node, left to right.
 * One column: {@code [x, total, self, nameIndex]}. Two columns (diff): {@code [x, baseTotal, baseSelf, cmpTotal,
 * cmpSelf, nameIndex]}, where a node's width is {@code baseTotal + cmpTotal * scale} and x is in those units.
 *
 * <p>{@link #flamebearer} is the compact form the web UI asks for ({@code format=flamebearer}, after Pyroscope's
 * flamebearer): the same groups, but x is the gap after the previous node of the same level, 0 for almost every
 * node; values are divided by their greatest common divisor ({@code valueUnit}, e.g. the sampling period), so
 * the numbers are short; each level is a primitive array written straight out, no boxed numbers.
 */
public final class FlameJson {
    private FlameJson() {
    }

    public static Map<String, Object> levels(FlameTree tree, double scale) {
        int columns = tree.columns();
        List<List<Long>> levels = new ArrayList<>();
        List<long[]> current = new ArrayList<>();
        current.add(new long[]{FlameTree.ROOT, 0});
        while (!current.isEmpty()) {
            List<Long> level = new ArrayList<>(current.size() * (columns == 1 ? 4 : 6));
            List<long[]> next = new ArrayList<>();
            for (long[] entry : current) {
                int node = (int) entry[0];
                long x = entry[1];
                level.add(x);
                for (int c = 0; c < columns; c++) {
                    level.add(tree.total(node, c));
                    level.add(tree.self(node, c));
                }
                level.add((long) tree.nameOf(node));
                long childX = x;
                for (int child : tree.children(node)) {
                    next.add(new long[]{child, childX});
                    childX += width(tree, child, scale);
                }
            }
            levels.add(level);
            current = next;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("names", tree.names());
        out.put("levels", levels);
        out.put("numNodes", tree.size());
        return out;
    }

    public static Map<String, Object> flamebearer(FlameTree tree, double scale) {
        int columns = tree.columns();
        int group = columns == 1 ? 4 : 6;
        List<long[]> levels = new ArrayList<>();
        // breadth-first, one level at a time: the nodes of level d in left-to-right order, with their x
        int[] current = {FlameTree.ROOT};
        long[] currentX = {0};
        int count = 1;
        while (count > 0) {
            long[] level = new long[count * group];
            int nextCount = 0;
            int[][] kids = new int[count][];
            for (int i = 0; i < count; i++) {
                kids[i] = tree.children(current[i]); // sorted by name: computed once per node
                nextCount += kids[i].length;
            }
            int[] next = new int[nextCount];
            long[] nextX = new long[nextCount];
            int n = 0;
            long end = 0;
            for (int i = 0; i < count; i++) {
                int node = current[i];
                long x = currentX[i];
                int o = i * group;
                level[o] = x - end;
                for (int c = 0; c < columns; c++) {
                    level[o + 1 + 2 * c] = tree.total(node, c);
                    level[o + 2 + 2 * c] = tree.self(node, c);
                }
                level[o + group - 1] = tree.nameOf(node);
                end = x + width(tree, node, scale);
                long childX = x;
                for (int child : kids[i]) {
                    next[n] = child;
                    nextX[n++] = childX;
                    childX += width(tree, child, scale);
                }
            }
            levels.add(level);
            current = next;
            currentX = nextX;
            count = nextCount;
        }
        long unit = columns == 1 ? valueUnit(levels, group) : 1;
        if (unit > 1) {
            for (long[] level : levels) {
                for (int o = 0; o < level.length; o += group) {
                    level[o] /= unit;
                    level[o + 1] /= unit;
                    level[o + 2] /= unit;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", "flamebearer");
        out.put("valueUnit", unit);
        out.put("names", tree.names());
        out.put("levels", levels);
        out.put("numNodes", tree.size());
        return out;
    }

    /**
     * The greatest common divisor of every value: sampled CPU time is a multiple of the sampling period (10 ms is
     * 10,000,000 ns), so dividing by it takes seven digits off each number. x gaps are sums of totals, so they
     * divide too. One column only: a diff's widths mix in a scaled, rounded second column.
     */
    static long valueUnit(List<long[]> levels, int group) {
        long g = 0;
        for (long[] level : levels) {
            for (int o = 0; o < level.length; o += group) {
                g = gcd(g, level[o + 1]);
                g = gcd(g, level[o + 2]);
                if (g == 1) {
                    return 1;
                }
            }
        }
        return Math.max(1, g);
    }

    private static long gcd(long a, long b) {
        a = Math.abs(a);
        b = Math.abs(b);
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** The layout a request asks for: {@code format=flamebearer} (compact) or the original absolute levels. */
    public static Map<String, Object> layout(FlameTree tree, double scale, boolean compact) {
        return compact ? flamebearer(tree, scale) : levels(tree, scale);
    }

    static long width(FlameTree tree, int node, double scale) {
        if (tree.columns() == 1) {
            return tree.total(node, 0);
        }
        return tree.total(node, 0) + Math.round(tree.total(node, 1) * scale);
    }
}
