package io.continuo.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class FlameTreeTest {

    private static FlameTree tree(Object... pathsAndValues) {
        FlameTree t = new FlameTree();
        for (int i = 0; i < pathsAndValues.length; i += 2) {
            t.add(List.of(((String) pathsAndValues[i]).split(";")), (Long) pathsAndValues[i + 1]);
        }
        return t;
    }

    private static Map<String, Long> collapsed(FlameTree t) {
        Map<String, Long> out = new TreeMap<>();
        t.forEachStack(0, (path, v) -> out.merge(String.join(";", path), v, Long::sum));
        return out;
    }

    @Test
    void totalsAndSelfFollowPaths() {
        FlameTree t = tree("main;a;b", 5L, "main;a", 2L, "main;c", 3L);
        assertThat(t.total()).isEqualTo(10);
        int main = t.child(FlameTree.ROOT, t.nameId("main"));
        int a = t.child(main, t.nameId("a"));
        assertThat(t.total(main, 0)).isEqualTo(10);
        assertThat(t.total(a, 0)).isEqualTo(7);
        assertThat(t.self(a, 0)).isEqualTo(2);
        assertThat(collapsed(t)).containsExactly(Map.entry("main;a", 2L), Map.entry("main;a;b", 5L), Map.entry("main;c", 3L));
    }

    @Test
    void addAtANodeEqualsAddingItsPath() {
        FlameTree byPath = tree("main;a;b", 5L, "main;a", 2L, "main;c", 3L);
        FlameTree byNode = new FlameTree(2, 4);
        int main = byNode.child(FlameTree.ROOT, byNode.nameId("main"));
        int a = byNode.child(main, byNode.nameId("a"));
        byNode.addAt(0, byNode.child(a, byNode.nameId("b")), 5);
        byNode.addAt(0, a, 2);
        byNode.addAt(0, byNode.child(main, byNode.nameId("c")), 3);
        byNode.addAt(1, a, 4);
        assertThat(byNode.total(0)).isEqualTo(10);
        assertThat(byNode.total(1)).isEqualTo(4);
        assertThat(byNode.total(main, 1)).isEqualTo(4);
        assertThat(byNode.self(a, 1)).isEqualTo(4);
        assertThat(byNode.self(a, 0)).isEqualTo(byPath.self(byPath.child(byPath.child(FlameTree.ROOT,
                byPath.nameId("main")), byPath.nameId("a")), 0));
        assertThat(collapsed(byNode)).isEqualTo(collapsed(byPath));
    }

    @Test
    void mergeAddsNodeByNode() {
        FlameTree t = tree("main;a", 1L);
        t.merge(tree("main;a", 2L, "main;b", 4L));
        assertThat(collapsed(t)).containsExactly(Map.entry("main;a", 3L), Map.entry("main;b", 4L));
        assertThat(t.total()).isEqualTo(7);
    }

    @Test
    void topFunctionsCountRecursionOnce() {
        FlameTree t = tree("main;f;f;f", 4L, "main;g", 6L);
        List<FunctionStat> top = t.topFunctions(0);
        assertThat(top).contains(new FunctionStat("f", 4, 4), new FunctionStat("g", 6, 6), new FunctionStat("main", 0, 10));
        assertThat(top.get(0).name()).isEqualTo("g");
    }

    @Test
    void pruneKeepsTotalsExactAndFoldsIntoOther() {
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            args.add("main;work;f" + i);
            args.add((long) (i + 1));
        }
        FlameTree full = tree(args.toArray());
        FlameTree pruned = full.prune(10);
        assertThat(pruned.size()).isLessThanOrEqualTo(10);
        assertThat(pruned.total()).isEqualTo(full.total());
        Map<String, Long> stacks = collapsed(pruned);
        assertThat(stacks.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(full.total());
        assertThat(stacks).containsKey("main;work;other").containsKey("main;work;f99");
        // the kept nodes are the heaviest leaves
        assertThat(stacks).doesNotContainKey("main;work;f0");
    }

    @Test
    void pruneToTwoNodesKeepsTheRootAndOther() {
        FlameTree pruned = tree("a;b", 3L, "c", 4L).prune(2);
        assertThat(pruned.size()).isEqualTo(2);
        assertThat(pruned.total()).isEqualTo(7);
        assertThat(collapsed(pruned)).containsExactly(Map.entry("other", 7L));
    }

    @Test
    void diffMatchesNodesByPath() {
        FlameTree d = FlameTree.diff(tree("main;a", 10L, "main;b", 10L), tree("main;a", 30L, "main;c", 5L));
        assertThat(d.columns()).isEqualTo(2);
        int main = d.child(FlameTree.ROOT, d.nameId("main"));
        int a = d.child(main, d.nameId("a"));
        int b = d.child(main, d.nameId("b"));
        int c = d.child(main, d.nameId("c"));
        assertThat(d.total(a, 0)).isEqualTo(10);
        assertThat(d.total(a, 1)).isEqualTo(30);
        assertThat(d.total(b, 1)).isZero();
        assertThat(d.total(c, 0)).isZero();
        assertThat(d.total(0)).isEqualTo(20);
        assertThat(d.total(1)).isEqualTo(35);
    }

    @Test
    void calleesAndCallersOfOneFunction() {
        FlameTree t = tree("main;x;f;g", 3L, "main;y;f;h", 2L, "main;y;f", 1L, "main;z", 9L);
        FlameTree callees = t.callees("f");
        assertThat(callees.total()).isEqualTo(6);
        assertThat(collapsed(callees)).containsExactly(Map.entry("f", 1L), Map.entry("f;g", 3L), Map.entry("f;h", 2L));
        FlameTree callers = t.callers("f");
        assertThat(callers.total()).isEqualTo(6);
        assertThat(collapsed(callers)).containsExactly(Map.entry("f;x;main", 3L), Map.entry("f;y;main", 3L));
    }

    @Test
    void deepStacksDoNotOverflow() {
        FlameTree t = new FlameTree();
        int depth = 100_000;
        int[] path = new int[depth];
        for (int i = 0; i < depth; i++) {
            path[i] = t.nameId("f" + (i % 7));
        }
        t.add(path, depth, 1);
        assertThat(t.topFunctions(0)).hasSize(7);
        assertThat(t.prune(50).total()).isEqualTo(1);
        assertThat(t.callers("f3").total()).isEqualTo(1);
    }
}
