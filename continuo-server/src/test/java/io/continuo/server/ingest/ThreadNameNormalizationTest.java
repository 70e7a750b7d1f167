package io.continuo.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code thread} series label folds pool and worker numbers only; numbers that are part of a name stay. */
class ThreadNameNormalizationTest {
    @Test
    void poolAndWorkerNumbersFold() {
        assertThat(IngestService.normalizeThread("pool-3-thread-17")).isEqualTo("pool-#-thread-#");
        assertThat(IngestService.normalizeThread("ForkJoinPool-1-worker-3")).isEqualTo("ForkJoinPool-#-worker-#");
        assertThat(IngestService.normalizeThread("ForkJoinPool.commonPool-worker-12")).isEqualTo("ForkJoinPool.commonPool-worker-#");
        assertThat(IngestService.normalizeThread("qtp1911728085-17")).isEqualTo("qtp#-#");
        assertThat(IngestService.normalizeThread("http-nio-8080-exec-10")).isEqualTo("http-nio-#-exec-#");
        assertThat(IngestService.normalizeThread("Thread-0")).isEqualTo("Thread-#");
        assertThat(IngestService.normalizeThread("GC Thread#3")).isEqualTo("GC Thread#");
        assertThat(IngestService.normalizeThread("G1 Conc#0")).isEqualTo("G1 Conc#");
    }

    @Test
    void numbersInsideNamesStay() {
        assertThat(IngestService.normalizeThread("C2 CompilerThread0")).isEqualTo("C2 CompilerThread#");
        assertThat(IngestService.normalizeThread("C1 CompilerThread12")).isEqualTo("C1 CompilerThread#");
        assertThat(IngestService.normalizeThread("C2 CompilerThre")).as("the kernel's 15-character name").isEqualTo("C2 CompilerThre");
        assertThat(IngestService.normalizeThread("G1 Young RemSet Sampling")).isEqualTo("G1 Young RemSet Sampling");
        assertThat(IngestService.normalizeThread("Log4j2-TF-1-AsyncLogger")).isEqualTo("Log4j2-TF-#-AsyncLogger");
        assertThat(IngestService.normalizeThread("main")).isEqualTo("main");
    }
}
