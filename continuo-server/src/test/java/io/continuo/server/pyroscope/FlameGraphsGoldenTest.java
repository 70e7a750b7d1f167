package io.continuo.server.pyroscope;

import io.continuo.model.FlameTree;
import io.continuo.server.pyroscope.proto.QuerierProto;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins Pyroscope's level encoding on a tree small enough to lay out by hand:
 * <pre>
 *   a;b 3   a;c 2   a 1   d 4        (total 10)
 *
 *   x: 0    1        4     6        10
 *      [-------------- total --------]
 *      [a self|-- b --|- c -][-- d --]
 * </pre>
 * A node's self comes first and its children follow in name order; each x is written as the distance from the end
 * of the previous node on the same level.
 */
class FlameGraphsGoldenTest {

    private static FlameTree left() {
        FlameTree t = new FlameTree();
        t.add(List.of("a", "b"), 3);
        t.add(List.of("a", "c"), 2);
        t.add(List.of("a"), 1);
        t.add(List.of("d"), 4);
        return t;
    }

    @Test
    void singleLevels() {
        QuerierProto.FlameGraph fg = FlameGraphs.single(left());
        assertThat(fg.getNamesList()).containsExactly("total", "a", "b", "c", "d");
        assertThat(fg.getTotal()).isEqualTo(10);
        assertThat(fg.getMaxSelf()).isEqualTo(4);
        assertThat(fg.getLevelsList()).extracting(QuerierProto.Level::getValuesList).containsExactly(
                List.of(0L, 10L, 0L, 0L),
                // a at 0 (total 6, self 1); d at 6, right after a: offset 0
                List.of(0L, 6L, 1L, 1L, 0L, 4L, 4L, 4L),
                // b starts after a's self, at 1: offset 1 from the level's start; c at 4, right after b
                List.of(1L, 3L, 3L, 2L, 0L, 2L, 2L, 3L));
    }

    /**
     * Left as above, right {@code a;b 1, e 5} (total 6). Each side is laid out on its own: on the right a is at 0
     * (total 1, no self), d is empty, e follows a at 1; under a, b sits at 0 on the right (a has no right self).
     */
    @Test
    void diffLevels() {
        FlameTree right = new FlameTree();
        right.add(List.of("a", "b"), 1);
        right.add(List.of("e"), 5);
        QuerierProto.FlameGraphDiff d = FlameGraphs.diff(FlameTree.diff(left(), right));
        assertThat(d.getNamesList()).containsExactly("total", "a", "b", "c", "d", "e");
        assertThat(d.getLeftTicks()).isEqualTo(10);
        assertThat(d.getRightTicks()).isEqualTo(6);
        assertThat(d.getTotal()).isEqualTo(16);
        assertThat(d.getMaxSelf()).isEqualTo(5);
        assertThat(d.getLevelsList()).extracting(QuerierProto.Level::getValuesList).containsExactly(
                List.of(0L, 10L, 0L, 0L, 6L, 0L, 0L),
                List.of(0L, 6L, 1L, 0L, 1L, 0L, 1L,
                        0L, 4L, 4L, 0L, 0L, 0L, 4L,
                        0L, 0L, 0L, 0L, 5L, 5L, 5L),
                List.of(1L, 3L, 3L, 0L, 1L, 1L, 2L,
                        0L, 2L, 2L, 0L, 0L, 0L, 3L));
    }

    @Test
    void emptyTreeIsTheRootAlone() {
        QuerierProto.FlameGraph fg = FlameGraphs.single(new FlameTree());
        assertThat(fg.getNamesList()).containsExactly("total");
        assertThat(fg.getLevelsList()).extracting(QuerierProto.Level::getValuesList).containsExactly(List.of(0L, 0L, 0L, 0L));
        assertThat(fg.getTotal()).isZero();
    }

    @Test
    void callSiteSelectorKeepsOnlyStacksUnderIt() {
        io.continuo.server.pyroscope.proto.TypesProto.StackTraceSelector sel = io.continuo.server.pyroscope.proto.TypesProto.StackTraceSelector
                .newBuilder().addCallSite(io.continuo.server.pyroscope.proto.TypesProto.Location.newBuilder().setName("a"))
                .addCallSite(io.continuo.server.pyroscope.proto.TypesProto.Location.newBuilder().setName("b")).build();
        FlameTree t = CallSites.select(left(), sel);
        assertThat(t.total()).isEqualTo(3);
        assertThat(FlameGraphs.single(t).getNamesList()).containsExactly("total", "a", "b");
    }
}
