package io.continuo.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeapAfterGcTest {
    @Test
    void sumsEveryHeapPoolAfterTheCollectionNotOnlyTheCollectedOnes() {
        Map<String, MemoryUsage> after = Map.of(
                "G1 Eden Space", new MemoryUsage(0, 0, 100, 1000),
                "G1 Survivor Space", new MemoryUsage(0, 7, 100, 1000),
                "G1 Old Gen", new MemoryUsage(0, 250, 400, 1000),
                "Metaspace", new MemoryUsage(0, 50, 60, -1));
        Set<String> heap = Set.of("G1 Eden Space", "G1 Survivor Space", "G1 Old Gen");
        assertThat(HeapAfterGc.sumHeap(after, heap)).isEqualTo(257);
        assertThat(HeapAfterGc.sumHeap(Map.of("Metaspace", new MemoryUsage(0, 1, 1, 1)), heap)).isEqualTo(-1);
    }

    @Test
    void oldCollectionsByNameOrAction() {
        assertThat(HeapAfterGc.isOld("G1 Young Generation", "end of minor GC")).isFalse();
        assertThat(HeapAfterGc.isOld("G1 Old Generation", "end of major GC")).isTrue();
        assertThat(HeapAfterGc.isOld("PS MarkSweep", "end of major GC")).isTrue();
        assertThat(HeapAfterGc.isOld("Copy", "end of minor GC")).isFalse();
    }

    /** In this JVM: young collections alone (garbage only) produce readings, after each one. */
    @Test
    void readsTheHeapAfterYoungCollections() throws Exception {
        HeapAfterGc h = new HeapAfterGc();
        assertThat(h.start()).isTrue();
        long before = h.collections();
        List<byte[]> keep = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (h.collections() < before + 3 && System.nanoTime() < deadline) {
            for (int i = 0; i < 1000; i++) keep.add(new byte[1024]);
            if (keep.size() > 20_000) keep.clear();
            Thread.onSpinWait();
        }
        assertThat(h.collections()).as("collections seen").isGreaterThanOrEqualTo(before + 3);
        assertThat(h.lastBytes()).isPositive();
    }
}
