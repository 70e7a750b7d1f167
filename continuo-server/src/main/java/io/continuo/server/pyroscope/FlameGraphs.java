package io.continuo.server.pyroscope;

import io.continuo.model.FlameTree;
import io.continuo.server.pyroscope.proto.QuerierProto;

import java.util.ArrayList;
import java.util.List;

/**
 * Pyroscope's level encoding of a flame graph, as Grafana's flame graph panel decodes it. {@code levels[d]} lists
 * the nodes at depth d left to right, 4 numbers each: x offset, total, self, index into {@code names}. A node's
 * self comes first and its children (in name order) after it, and each x offset is counted from the end of the
 * previous node of the same level (delta encoding). A diff has 7 numbers per node: left x, total and self, right x,
 * total and self, then the name index, each side laid out and delta-encoded on its own. The root is
 * {@code names[0] = "total"}.
 */
final class FlameGraphs {
    private FlameGraphs() {
    }

    static QuerierProto.FlameGraph single(FlameTree tree) {
        QuerierProto.FlameGraph.Builder out = QuerierProto.FlameGraph.newBuilder()
                .addAllNames(tree.names())
                .setTotal(tree.total());
        long maxSelf = 0;
        for (List<Placed> level = List.of(new Placed(FlameTree.ROOT, new long[]{0})); !level.isEmpty(); level = next(tree, level)) {
            QuerierProto.Level.Builder values = QuerierProto.Level.newBuilder();
            long end = 0;
            for (Placed p : level) {
                long total = tree.total(p.node, 0);
                long self = tree.self(p.node, 0);
                values.addValues(p.x[0] - end).addValues(total).addValues(self).addValues(tree.nameOf(p.node));
                end = p.x[0] + total;
                maxSelf = Math.max(maxSelf, self);
            }
            out.addLevels(values);
        }
        return out.setMaxSelf(maxSelf).build();
    }

    /** A two-column tree (column 0 the left/baseline side, column 1 the right/comparison side). */
    static QuerierProto.FlameGraphDiff diff(FlameTree tree) {
        if (tree.columns() != 2) {
            throw new IllegalArgumentException("a diff needs a two-column tree");
        }
        QuerierProto.FlameGraphDiff.Builder out = QuerierProto.FlameGraphDiff.newBuilder()
                .addAllNames(tree.names())
                .setLeftTicks(tree.total(0))
                .setRightTicks(tree.total(1))
                .setTotal(tree.total(0) + tree.total(1));
        long maxSelf = 0;
        for (List<Placed> level = List.of(new Placed(FlameTree.ROOT, new long[]{0, 0})); !level.isEmpty(); level = next(tree, level)) {
            QuerierProto.Level.Builder values = QuerierProto.Level.newBuilder();
            long[] end = new long[2];
            for (Placed p : level) {
                for (int c = 0; c < 2; c++) {
                    long total = tree.total(p.node, c);
                    long self = tree.self(p.node, c);
                    values.addValues(p.x[c] - end[c]).addValues(total).addValues(self);
                    end[c] = p.x[c] + total;
                    maxSelf = Math.max(maxSelf, self);
                }
                values.addValues(tree.nameOf(p.node));
            }
            out.addLevels(values);
        }
        return out.setMaxSelf(maxSelf).build();
    }

    /** The next level: each node's children in name order, starting after the node's own self value. */
    private static List<Placed> next(FlameTree tree, List<Placed> level) {
        List<Placed> next = new ArrayList<>();
        int columns = tree.columns();
        for (Placed p : level) {
            long[] x = new long[columns];
            for (int c = 0; c < columns; c++) {
                x[c] = p.x[c] + tree.self(p.node, c);
            }
            for (int child : tree.children(p.node)) {
                next.add(new Placed(child, x.clone()));
                for (int c = 0; c < columns; c++) {
                    x[c] += tree.total(child, c);
                }
            }
        }
        return next;
    }

    /** A node and its absolute x position in each column. */
    private record Placed(int node, long[] x) {
    }
}
