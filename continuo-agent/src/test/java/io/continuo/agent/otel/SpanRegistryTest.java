package io.continuo.agent.otel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpanRegistryTest {
    private static final String TRACE = "0123456789abcdef0123456789abcdef";

    @Test
    void samplesJoinTheInnermostSpanActiveAtTheirTimestamp() throws Exception {
        long tid = Thread.currentThread().getId();
        long before = SpanRegistry.now();
        SpanRegistry.spanStarted(TRACE, "00000000000000a1", null, "GET /orders");
        long inRoot = SpanRegistry.now();
        SpanRegistry.spanStarted(TRACE, "00000000000000b2", "00000000000000a1", "db.query");
        long inChild = SpanRegistry.now();
        SpanRegistry.spanEnded("00000000000000b2");
        long backInRoot = SpanRegistry.now();
        SpanRegistry.spanEnded("00000000000000a1");
        long after = SpanRegistry.now();

        SpanRegistry.Hit hit = new SpanRegistry.Hit();
        assertThat(SpanRegistry.lookup(tid, before, hit)).isFalse();
        assertThat(SpanRegistry.lookup(tid, inRoot, hit)).isTrue();
        assertThat(hit.spanId).isEqualTo(0xa1);
        assertThat(hit.endpoint).isEqualTo("GET /orders");
        assertThat(SpanRegistry.lookup(tid, inChild, hit)).isTrue();
        assertThat(hit.spanId).isEqualTo(0xb2);
        assertThat(hit.endpoint).as("endpoint comes from the local root").isEqualTo("GET /orders");
        assertThat(hit.traceHi).isEqualTo(0x0123456789abcdefL);
        assertThat(SpanRegistry.lookup(tid, backInRoot, hit)).isTrue();
        assertThat(hit.spanId).isEqualTo(0xa1);
        assertThat(SpanRegistry.lookup(tid, after, hit)).isFalse();
        assertThat(SpanRegistry.lookup(tid + 1_000_000, inRoot, hit)).isFalse();
    }

    @Test
    void spanEndedOnAnotherThreadClosesItOnTheStartingThread() throws Exception {
        long tid = Thread.currentThread().getId();
        SpanRegistry.spanStarted(TRACE, "00000000000000c3", null, "async");
        Thread other = new Thread(() -> SpanRegistry.spanEnded("00000000000000c3"));
        other.start();
        other.join();
        assertThat(SpanRegistry.lookup(tid, SpanRegistry.now(), new SpanRegistry.Hit())).isFalse();
    }

    @Test
    void endpointCardinalityIsCapped() {
        SpanRegistry.setMaxEndpoints(3);
        try {
            SpanRegistry.Hit hit = new SpanRegistry.Hit();
            long tid = Thread.currentThread().getId();
            for (int i = 0; i < 10; i++) {
                String id = String.format("%016x", 0x1000 + i);
                SpanRegistry.spanStarted(TRACE, id, null, "route-" + i);
                SpanRegistry.lookup(tid, SpanRegistry.now(), hit);
                SpanRegistry.spanEnded(id);
            }
            assertThat(hit.endpoint).isEqualTo(SpanRegistry.OTHER_ENDPOINT);
        } finally {
            SpanRegistry.setMaxEndpoints(100);
        }
    }

    /**
     * A thread that starts and ends many spans before JFR delivers its samples: the old 64-entry ring had
     * forgotten the first span by the 33rd, so late samples lost their labels.
     */
    @Test
    void aSampleDeliveredAfterThousandsOfLaterSpansStillFindsItsSpan() {
        long tid = Thread.currentThread().getId();
        long[] inSpan = new long[2000];
        for (int i = 0; i < inSpan.length; i++) {
            String id = String.format("%016x", 0x5000 + i);
            SpanRegistry.spanStarted(TRACE, id, null, "GET /late");
            inSpan[i] = SpanRegistry.now();
            SpanRegistry.spanEnded(id);
        }
        SpanRegistry.Hit hit = new SpanRegistry.Hit();
        for (int i : new int[] {0, 1, 999, 1999}) {
            assertThat(SpanRegistry.lookup(tid, inSpan[i], hit)).as("span %d", i).isTrue();
            assertThat(hit.spanId).isEqualTo(0x5000 + i);
        }
    }
}
