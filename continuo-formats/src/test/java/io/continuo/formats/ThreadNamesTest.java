package io.continuo.formats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThreadNamesTest {
    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "pool-3-thread-17 => pool-#-thread-#",
        "C2 CompilerThread0 => C2 CompilerThread#",
        "C2 CompilerThre => C2 CompilerThre",
        "C1 CompilerThread10 => C1 CompilerThread#",
        "GC Thread#0 => GC Thread#",
        "G1 Conc#0 => G1 Conc#",
        "ForkJoinPool.commonPool-worker-3 => ForkJoinPool.commonPool-worker-#",
        "http-nio-8080-exec-5 => http-nio-#-exec-#",
        "nioEventLoopGroup-2-1 => nioEventLoopGroup-#-#",
        "http2-worker-1 => http2-worker-#",
        "main => main",
        "Thread-0 => Thread-#",
        "G1 Main Marker => G1 Main Marker",
        "kafka-producer-network-thread | producer-1 => kafka-producer-network-thread | producer-#",
        "Log4j2-AsyncLogger[ctx@18b4aac2]-1 => Log4j2-AsyncLogger[ctx@18b4aac2]-#",
    })
    void foldsOnlyInstanceNumbers(String name, String expected) {
        assertThat(ThreadNames.normalize(name)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void longNamesAreCut() {
        assertThat(ThreadNames.normalize("x".repeat(300))).hasSize(ThreadNames.MAX_LENGTH);
    }
}
