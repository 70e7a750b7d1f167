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

    static long width(FlameTree tree, int node, double scale) {
        if (tree.columns() == 1) {
            return tree.total(node, 0);
        }
        return tree.total(node, 0) + Math.round(tree.total(node, 1) * scale);
    }
}
